import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GitTestServer, type TestRepo } from '@flotilla/testing';

const run = promisify(execFile);

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The app's namespace on every cluster; the tenant's grant covers `team-a-*`. */
export const APP_NAMESPACE = 'team-a-web';

const REPLICAS: Record<Environment, number> = { dev: 1, staging: 2, prod: 3 };

const base = {
  'base/kustomization.yaml': `resources:
  - namespace.yaml
  - deployment.yaml
  - service.yaml
  - configmap.yaml
labels:
  - pairs:
      app.kubernetes.io/name: web
`,
  // Part of the app, like CreateNamespace in Argo CD: the agent creates it because the grant's pattern matches.
  'base/namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: ${APP_NAMESPACE}
`,
  'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
          envFrom:
            - configMapRef:
                name: web-config
`,
  'base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
`,
  'base/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  GREETING: hello
  LOG_LEVEL: info
`,
};

/** One overlay per environment: its own replica count and greeting, patched onto the base. */
function overlay(env: Environment): Record<string, string> {
  return {
    [`overlays/${env}/kustomization.yaml`]: `resources:
  - ../../base
labels:
  - pairs:
      env: ${env}
patches:
  - path: replicas.yaml
  - path: config.yaml
`,
    [`overlays/${env}/replicas.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${REPLICAS[env]}
`,
    [`overlays/${env}/config.yaml`]: `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  GREETING: hello from ${env}
`,
  };
}

/** The sample multi-environment app: a kustomize base and overlays dev, staging and prod. */
export function sampleAppFiles(): Record<string, string> {
  return Object.assign({ ...base }, ...ENVIRONMENTS.map(overlay)) as Record<string, string>;
}

export interface SampleRepo {
  server: GitTestServer;
  repo: TestRepo;
}

/** A local Git server (real `git http-backend`) holding the sample app, open for pushes. */
export async function startSampleRepo(): Promise<SampleRepo> {
  const server = await GitTestServer.start();
  try {
    const repo = await server.createRepo('demo-app');
    // Anonymous pushes over http: so "try a change" is a plain `git push`.
    await run('git', ['--git-dir', repo.bareDir, 'config', 'http.receivepack', 'true']);
    await repo.commitFiles(
      sampleAppFiles(),
      'Sample app: kustomize base with dev, staging and prod overlays',
    );
    return { server, repo };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
