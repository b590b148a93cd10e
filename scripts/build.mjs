// Compiles the TypeScript sources to dist/ with SWC (decorator metadata included, which
// NestJS needs and esbuild-based runners lack) and rewrites the @flotilla/* path aliases
// to relative imports. Type checking is `npm run typecheck`; this stays fast.
import { transformFile } from '@swc/core';
import { mkdir, readdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDirs = ['services', 'libs'];
const outDir = join(root, 'dist');

export function swcOptions() {
  return {
    sourceMaps: true,
    module: { type: 'es6', resolveFully: true },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      baseUrl: root,
      paths: {
        '@flotilla/contracts': ['libs/contracts/src/index.ts'],
        '@flotilla/manifests': ['libs/manifests/src/index.ts'],
        '@flotilla/policy': ['libs/policy/src/index.ts'],
        '@flotilla/testing': ['libs/testing/src/index.ts'],
      },
      keepClassNames: true,
    },
  };
}

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts'))
      yield path;
  }
}

await rm(outDir, { recursive: true, force: true });
const jobs = [];
for (const dir of sourceDirs) {
  for await (const file of sources(join(root, dir))) {
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    jobs.push(
      transformFile(file, { ...swcOptions(), filename: file, outputPath: target }).then(async (out) => {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, `${out.code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
        if (out.map) await writeFile(`${target}.map`, out.map);
      }),
    );
  }
}
await Promise.all(jobs);
