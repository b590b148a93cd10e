import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitTestServer, type TestRepo } from '@flotilla/testing';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from './errors.js';
import { GitFetcher } from './git-fetcher.js';
import { renderPath } from './render.js';

const BASE = {
  'apps/web/base/kustomization.yaml':
    'resources:\n  - deployment.yaml\n  - service.yaml\n  - configmap.yaml\n',
  'apps/web/base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
`,
  'apps/web/base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports:
    - port: 80
`,
  'apps/web/base/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
`,
  'apps/web/overlays/dev/kustomization.yaml': `namePrefix: dev-
resources:
  - ../../base
patches:
  - target: { kind: ConfigMap, name: web-config }
    patch: |-
      - op: replace
        path: /data/LOG_LEVEL
        value: debug
`,
  'apps/web/overlays/prod/kustomization.yaml': `namePrefix: prod-
resources:
  - ../../base
patches:
  - path: replicas.yaml
`,
  'apps/web/overlays/prod/replicas.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 5
`,
};

function kustomizeTempDirs(): Promise<string[]> {
  return readdir(tmpdir()).then((names) => names.filter((name) => name.startsWith('flotilla-kustomize-')));
}

describe('renderPath', () => {
  let cacheDir: string;
  let server: GitTestServer;
  let repo: TestRepo;
  let fetcher: GitFetcher;
  let counter = 0;

  /** Commits the files to a fresh repository id and fetches it, returning what renderPath needs. */
  async function commitAndFetch(files: Record<string, string | null>, symlinks?: Record<string, string>) {
    const commit = await repo.commitFiles(files, `commit ${++counter}`, { symlinks });
    const repoId = `render-${counter}`;
    await fetcher.fetch({ repoId, url: repo.url, ref: commit });
    return { fetcher, repoId, commit };
  }

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'flotilla-render-spec-'));
    server = await GitTestServer.start();
    repo = await server.createRepo('render');
    fetcher = new GitFetcher({ cacheDir, allowedHosts: [server.baseUrl] });
  });
  afterAll(async () => {
    await server.stop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('renders a plain directory recursively in sorted order, keeping multi-document files whole', async () => {
    const source = await commitAndFetch({
      'plain/z.yaml': 'kind: Z\n',
      'plain/a.json': '{"kind":"A"}',
      'plain/sub/m.yml': 'kind: M1\n---\nkind: M2\n',
      'plain/README.md': '# not a manifest',
      'other/x.yaml': 'kind: Other\n',
    });
    const result = await renderPath({ ...source, path: './plain/' });
    expect(result.kind).toBe('plain');
    expect(result.files.map((file) => file.path)).toEqual([
      'plain/a.json',
      'plain/sub/m.yml',
      'plain/z.yaml',
    ]);
    expect(parseAllDocuments(result.files[1]!.content).map((doc) => doc.toJS().kind)).toEqual(['M1', 'M2']);
  });

  it('renders kustomize overlays with their patches and name prefixes, and removes its temp dir', async () => {
    const before = await kustomizeTempDirs();
    const source = await commitAndFetch(BASE);
    const dev = await renderPath({ ...source, path: 'apps/web/overlays/dev' });
    const prod = await renderPath({ ...source, path: 'apps/web/overlays/prod' });
    expect(dev.kind).toBe('kustomize');
    expect(dev.files).toHaveLength(1);
    expect(dev.files[0]!.path).toBe('apps/web/overlays/dev/kustomize-build.yaml');
    const devDocs = parseAllDocuments(dev.files[0]!.content).map((doc) => doc.toJS());
    const prodDocs = parseAllDocuments(prod.files[0]!.content).map((doc) => doc.toJS());
    expect(devDocs.map((doc) => `${doc.kind}/${doc.metadata.name}`).sort()).toEqual([
      'ConfigMap/dev-web-config',
      'Deployment/dev-web',
      'Service/dev-web',
    ]);
    expect(devDocs.find((doc) => doc.kind === 'ConfigMap').data.LOG_LEVEL).toBe('debug');
    expect(prodDocs.find((doc) => doc.kind === 'Deployment')).toMatchObject({
      metadata: { name: 'prod-web' },
      spec: { replicas: 5 },
    });
    expect(prodDocs.find((doc) => doc.kind === 'ConfigMap').data.LOG_LEVEL).toBe('info');
    expect(await kustomizeTempDirs()).toEqual(before);
  });

  describe('hostile repositories', () => {
    it('never follows symlinks: a link to /etc/passwd or out of the tree is skipped with a reason', async () => {
      const source = await commitAndFetch(
        { 'evil/ok.yaml': 'kind: Ok\n' },
        { 'evil/passwd.yaml': '/etc/passwd', 'evil/up.yaml': '../../../../etc/hostname' },
      );
      const result = await renderPath({ ...source, path: 'evil' });
      expect(result.files.map((file) => file.path)).toEqual(['evil/ok.yaml']);
      expect(result.skipped).toEqual([
        { path: 'evil/passwd.yaml', reason: 'symbolic link: never followed' },
        { path: 'evil/up.yaml', reason: 'symbolic link: never followed' },
      ]);
      expect(JSON.stringify(result)).not.toContain('root:');
    });

    it('does not let a kustomization read through a symlink', async () => {
      const source = await commitAndFetch(
        { 'kevil/kustomization.yaml': 'resources:\n  - secret.yaml\n' },
        { 'kevil/secret.yaml': '/etc/passwd' },
      );
      await expect(renderPath({ ...source, path: 'kevil' })).rejects.toMatchObject({
        code: 'render_failed',
        message: expect.stringContaining('"secret.yaml" is not a file or directory of this commit'),
      });
    });

    it('refuses ".." and absolute binding paths', async () => {
      const source = await commitAndFetch({ 'p/a.yaml': 'a: 1\n' });
      await expect(renderPath({ ...source, path: '../outside' })).rejects.toMatchObject({
        code: 'path_refused',
        message: expect.stringContaining('".."'),
      });
      await expect(renderPath({ ...source, path: 'p/../../x' })).rejects.toMatchObject({
        code: 'path_refused',
      });
      await expect(renderPath({ ...source, path: '/etc' })).rejects.toMatchObject({
        code: 'path_refused',
        message: expect.stringContaining('relative'),
      });
      await expect(renderPath({ ...source, path: 'missing' })).rejects.toMatchObject({
        code: 'path_not_found',
      });
    });

    it('enforces the file count, file size, total size and time limits, naming the limit', async () => {
      const many = Object.fromEntries(
        Array.from({ length: 12 }, (_, index) => [`many/f${index}.yaml`, `n: ${index}\n`]),
      );
      const source = await commitAndFetch({ ...many, 'big/huge.yaml': `data: ${'x'.repeat(5_000)}\n` });
      await expect(renderPath({ ...source, path: 'many', limits: { maxFiles: 10 } })).rejects.toMatchObject({
        code: 'limit_exceeded',
        message: expect.stringContaining('maxFiles'),
      });
      await expect(
        renderPath({ ...source, path: 'big', limits: { maxFileBytes: 1_000 } }),
      ).rejects.toMatchObject({
        code: 'limit_exceeded',
        message: expect.stringContaining('big/huge.yaml is 5007 bytes, more than 1000 (maxFileBytes)'),
      });
      await expect(
        renderPath({ ...source, path: 'many', limits: { maxTotalBytes: 50 } }),
      ).rejects.toMatchObject({
        code: 'limit_exceeded',
        message: expect.stringContaining('maxTotalBytes'),
      });
      await expect(renderPath({ ...source, path: 'many', limits: { timeoutMs: 0 } })).rejects.toMatchObject({
        code: 'limit_exceeded',
        message: expect.stringContaining('timeoutMs'),
      });
    });

    it('refuses crafted trees whose entry names are ".." or ".git"', async () => {
      for (const [branch, name] of [
        ['dotdot', '..'],
        ['dotgit', '.GIT'],
      ]) {
        const commit = await repo.craftCommit(branch!, [{ name: name!, content: 'kind: Evil\n' }]);
        const repoId = `crafted-${branch}`;
        await fetcher.fetch({ repoId, url: repo.url, ref: branch! });
        await expect(renderPath({ fetcher, repoId, commit, path: '' })).rejects.toMatchObject({
          code: 'path_refused',
          message: expect.stringContaining(`unsafe entry name "${name}"`),
        });
      }
    });

    it('refuses Helm charts in kustomizations', async () => {
      const source = await commitAndFetch({
        'helm/kustomization.yaml': 'helmCharts:\n  - name: redis\n    repo: https://charts.example\n',
      });
      await expect(renderPath({ ...source, path: 'helm' })).rejects.toMatchObject({
        code: 'render_failed',
        message: expect.stringContaining('Helm charts are not rendered'),
      });
    });

    it('refuses remote bases before running kustomize', async () => {
      const source = await commitAndFetch({
        'remote/kustomization.yaml':
          'resources:\n  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0\n',
        'remote2/kustomization.yaml': 'resources:\n  - github.com/example/repo/base?ref=main\n',
        'escape/kustomization.yaml': 'resources:\n  - ../../../etc\n',
      });
      await expect(renderPath({ ...source, path: 'remote' })).rejects.toMatchObject({
        code: 'render_failed',
        message: expect.stringContaining('remote resources entry'),
      });
      await expect(renderPath({ ...source, path: 'remote2' })).rejects.toMatchObject({
        message: expect.stringContaining('remote resources entry'),
      });
      await expect(renderPath({ ...source, path: 'escape' })).rejects.toMatchObject({
        code: 'path_refused',
        message: expect.stringContaining('points outside the repository'),
      });
    });

    it('reports kustomize errors with repository paths, not temp paths', async () => {
      const source = await commitAndFetch({
        'broken/kustomization.yaml': 'resources:\n  - ok.yaml\n',
        'broken/ok.yaml': 'not: [valid\n',
      });
      const error = await renderPath({ ...source, path: 'broken' }).then(
        () => expect.unreachable('expected a rejection'),
        (caught: unknown) => caught as SourceError,
      );
      expect(error.code).toBe('render_failed');
      expect(error.message).toContain('kustomize failed for broken');
      expect(error.message).not.toContain('flotilla-kustomize-');
    });
  });
});
