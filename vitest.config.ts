import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// One runner, three tiers: unit (pure, no services), medium (real PostgreSQL / NATS /
// git / Kubernetes API test server inside one process), e2e (several processes).
const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));
export default defineConfig({
  plugins: [swc.vite({ jsc: { transform: { legacyDecorator: true, decoratorMetadata: true } } })],
  resolve: {
    alias: {
      '@flotilla/contracts': lib('contracts'),
      '@flotilla/manifests': lib('manifests'),
      '@flotilla/policy': lib('policy'),
      '@flotilla/testing': lib('testing'),
    },
  },
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{libs,services}/**/*.spec.ts'],
          exclude: ['**/*.medium.spec.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'medium',
          include: ['{libs,services}/**/*.medium.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.spec.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
