import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitTestServer, type TestRepo } from '@flotilla/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type Run } from './cli-process.js';
import { GitOpsHub, kustomizeApp } from '../../services/hub/test/gitops-fixture.js';
import { DeploymentIngest } from '../../services/hub/src/deployments/deployment-ingest.js';
import { ADMIN_PASSWORD } from '../../services/hub/test/harness.js';

// The real CLI (bin/flotilla.mjs → dist) driving repositories, bindings and fleet status on a
// real hub with managed NATS that fetches from a local Git server.

let git: GitTestServer;
let ops: GitOpsHub;
let repo: TestRepo;
let dir: string;
let config: string;

function flotilla(args: string[], options: { input?: string; config?: string } = {}): Promise<Run> {
  return runCli(args, options.config ?? config, options.input);
}

const json = (run: Run) => {
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
};

beforeAll(async () => {
  git = await GitTestServer.start();
  repo = await git.createRepo('apps');
  await repo.commitFiles(kustomizeApp('1.1'), 'first');
  ops = await GitOpsHub.start(git);
  dir = await mkdtemp(join(tmpdir(), 'flotilla-cli-gitops-e2e-'));
  config = join(dir, 'config.json');
  // Builds dist/ if needed, so the timed tests below do not each race to build it.
  expect((await flotilla(['--help'])).code).toBe(0);
  const login = await flotilla(['login', ops.hub.url, '-u', 'admin', '--password-stdin'], {
    input: `${ADMIN_PASSWORD}\n`,
  });
  expect(login.code).toBe(0);
});

afterAll(async () => {
  await ops?.stop();
  await git?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('flotilla repo, binding and status against a real hub and Git server', () => {
  it('creates a tenant, a grant and a cluster for the bindings to target', async () => {
    expect((await flotilla(['tenant', 'create', 'team-a'])).code).toBe(0);
    const grant = await flotilla([
      'grant',
      'create',
      'prod',
      '-t',
      'team-a',
      '--selector',
      'env=prod',
      '--namespaces',
      'team-a-*',
    ]);
    expect(grant.code).toBe(0);
    expect(grant.stdout).toMatch(/\nprod\s+env=prod\s+team-a-\*\s+-\s+0\n$/);
    expect((await flotilla(['cluster', 'add', 'edge-1', '--labels', 'env=prod'])).code).toBe(0);
  });

  it('adds repositories (with a password from stdin, or none) and lists them', async () => {
    const created = json(
      await flotilla(['repo', 'create', 'apps', '-t', 'team-a', '--url', repo.url, '-o', 'json']),
    );
    expect(created).toMatchObject({ name: 'apps', url: repo.url, hasCredentials: false });

    const secret = 'git-password-123';
    const withPassword = await flotilla(
      [
        'repo',
        'create',
        'private',
        '-t',
        'team-a',
        '--url',
        repo.url,
        '--username',
        'git',
        '--password-stdin',
        '--poll-interval',
        '5m',
      ],
      { input: `${secret}\n` },
    );
    expect(withPassword.code).toBe(0);
    expect(withPassword.stdout).toMatch(/\nprivate\s+\S+\s+yes\s+5m\s+no\s/);
    expect(withPassword.stdout + withPassword.stderr).not.toContain(secret);

    const list = await flotilla(['repo', 'list', '-t', 'team-a']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+URL\s+CREDENTIALS\s+POLL\s+SIGNED/);
    const listed = json(await flotilla(['repo', 'list', '-t', 'team-a', '-o', 'json']));
    expect(listed.map((r: { name: string }) => r.name).sort()).toEqual(['apps', 'private']);
    expect(JSON.stringify(listed)).not.toContain(secret);

    const get = json(await flotilla(['repo', 'get', 'private', '-t', 'team-a', '-o', 'json']));
    expect(get).toMatchObject({ name: 'private', hasCredentials: true, pollInterval: '5m' });
    expect(await flotilla(['repo', 'delete', 'private', '-t', 'team-a'])).toMatchObject({
      code: 0,
      stdout: 'Repository private deleted.\n',
    });
  });

  it('creates a binding, shows it, previews it and lists its history', async () => {
    const created = await flotilla([
      'binding',
      'create',
      'web',
      '-t',
      'team-a',
      '--repo',
      'apps',
      '--path',
      'web/overlays/prod',
      '--selector',
      'env=prod',
      '-n',
      'team-a-web',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(
      /^NAME\s+REPOSITORY\s+REF\s+PATH\s+SELECTOR\s+NAMESPACE\s+POLICY\nweb\s+apps\s+main\s+web\/overlays\/prod\s+env=prod\s+team-a-web\s+auto,prune,self-heal\n$/,
    );

    const shown = await flotilla(['binding', 'get', 'web', '-t', 'team-a']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/\nRevision: [0-9a-f]{40} \(passed\)\n/);
    expect(shown.stdout).toMatch(/CLUSTER\s+REVISION\s+COMMIT\s+SYNC\s+HEALTH\n.*edge-1/);
    const asJson = json(await flotilla(['binding', 'get', 'web', '-t', 'team-a', '-o', 'json']));
    expect(asJson).toMatchObject({ name: 'web', repository: 'apps', status: 'passed', pinned: null });

    const preview = json(await flotilla(['binding', 'preview', 'web', '-t', 'team-a', '-o', 'json']));
    expect(preview.clusters.map((c: { name: string; accepted: boolean }) => [c.name, c.accepted])).toEqual([
      ['edge-1', true],
    ]);
    expect(JSON.stringify(preview.objects)).toContain('nginx:1.1');

    const history = await flotilla(['binding', 'history', 'web', '-t', 'team-a']);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(
      /^REVISION\s+COMMIT\s+STATUS\s+BUNDLE\s+CREATED\n1\s+[0-9a-f]{12}\s+passed\s/,
    );

    expect(json(await flotilla(['binding', 'list', '-t', 'team-a', '-o', 'json']))).toEqual([
      expect.objectContaining({ name: 'web' }),
    ]);
  });

  it('suspends and resumes a binding', async () => {
    expect(await flotilla(['binding', 'suspend', 'web', '-t', 'team-a'])).toMatchObject({
      code: 0,
      stdout: 'Binding web suspended.\n',
    });
    expect((await flotilla(['binding', 'list', '-t', 'team-a'])).stdout).toMatch(/\nweb\s.*Suspended\n$/);
    expect(await flotilla(['binding', 'resume', 'web', '-t', 'team-a'])).toMatchObject({
      code: 0,
      stdout: 'Binding web resumed.\n',
    });
    expect(json(await flotilla(['binding', 'get', 'web', '-t', 'team-a', '-o', 'json'])).suspended).toBe(
      false,
    );
  });

  it('picks up a new commit on repo refresh and rolls back to the first revision', async () => {
    const first = json(await flotilla(['binding', 'history', 'web', '-t', 'team-a', '-o', 'json']));
    expect(first).toHaveLength(1);
    const commit = await repo.commitFiles(kustomizeApp('1.2'), 'bump');
    const refreshed = await flotilla(['repo', 'refresh', 'apps', '-t', 'team-a', '-o', 'json']);
    expect(refreshed.code).toBe(0);
    expect(JSON.parse(refreshed.stdout).refresh.commits).toEqual({ main: commit });
    expect((await flotilla(['repo', 'refresh', 'apps', '-t', 'team-a'])).stdout).toBe(
      'Repository apps refresh requested.\n',
    );

    const history = json(await flotilla(['binding', 'history', 'web', '-t', 'team-a', '-o', 'json']));
    expect(history.map((r: { number: number; commit: string }) => [r.number, r.commit])).toEqual([
      [2, commit],
      [1, first[0].commit],
    ]);

    expect(await flotilla(['binding', 'rollback', 'web', '1', '-t', 'team-a'])).toMatchObject({
      code: 0,
      stdout: 'Binding web rolled back to 1.\n',
    });
    const pinned = json(await flotilla(['binding', 'get', 'web', '-t', 'team-a', '-o', 'json']));
    expect(pinned.pinned).toEqual({ revision: 1, commit: first[0].commit });
    expect((await flotilla(['binding', 'list', '-t', 'team-a'])).stdout).toContain('main (pinned r1)');

    const bad = await flotilla(['binding', 'rollback', 'web', '99', '-t', 'team-a']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: revision/);

    expect((await flotilla(['binding', 'unpin', 'web', '-t', 'team-a'])).code).toBe(0);
    expect(json(await flotilla(['binding', 'get', 'web', '-t', 'team-a', '-o', 'json'])).pinned).toBeNull();
  });

  it('shows fleet status (GET /api/v1/fleet/status) as JSON', async () => {
    const direct = await ops.call('GET', '/fleet/status');
    expect(direct.status).toBe(200);
    expect(Array.isArray(direct.body.items)).toBe(true);

    const all = json(await flotilla(['status', '-o', 'json']));
    expect(Array.isArray(all)).toBe(true);
    expect(all).toEqual(direct.body.items);
    for (const row of all) expect(row).toMatchObject({ tenant: 'team-a', binding: 'web' });

    const filtered = json(await flotilla(['status', '-t', 'team-a', '-b', 'web', '-o', 'json']));
    expect(Array.isArray(filtered)).toBe(true);
    const table = await flotilla(['status']);
    expect(table.code).toBe(0);
    expect((await flotilla(['status', '--state', 'Bogus'])).code).toBe(2);
  });

  it('rejects a binding naming an unknown repository with the hub’s message', async () => {
    const body = {
      name: 'ghost',
      repository: 'nope',
      ref: 'main',
      path: '',
      clusterSelector: { matchLabels: {} },
      namespace: 'team-a-ghost',
      syncPolicy: { automated: true, prune: true, selfHeal: true },
    };
    const expected = await ops.call('POST', '/tenants/team-a/bindings', body);
    expect(expected.status).toBeGreaterThanOrEqual(400);

    const run = await flotilla([
      'binding',
      'create',
      'ghost',
      '-t',
      'team-a',
      '--repo',
      'nope',
      '-n',
      'team-a-ghost',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.code).toBe(expected.status === 404 ? 5 : 1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: .*nope/);
    expect(run.stderr).toContain(expected.body.detail);

    const missing = await flotilla(['binding', 'create', 'ghost', '-t', 'team-a', '--repo', 'apps']);
    expect(missing).toMatchObject({ code: 2, stderr: 'error: give --namespace (or a --from-file)\n' });
    expect((await flotilla(['binding', 'get', 'ghost', '-t', 'team-a'])).code).toBe(5);
  });

  it('refuses a tenant viewer creating a binding with exit 4', async () => {
    const password = 'viewer-password-123';
    const user = await flotilla(['user', 'create', 'vic', '--password-stdin'], { input: `${password}\n` });
    expect(user.code).toBe(0);
    expect(
      (
        await flotilla([
          'rolebinding',
          'create',
          '--tenant',
          'team-a',
          '--user',
          'vic',
          '--role',
          'tenant-viewer',
        ])
      ).code,
    ).toBe(0);
    const viewer = join(dir, 'viewer.json');
    const login = await flotilla(
      ['login', ops.hub.url, '-u', 'vic', '--password-stdin', '--tenant', 'team-a'],
      {
        config: viewer,
        input: `${password}\n`,
      },
    );
    expect(login.code).toBe(0);

    // A viewer may read…
    expect(
      json(await flotilla(['binding', 'list', '-o', 'json'], { config: viewer })).map(
        (b: { name: string }) => b.name,
      ),
    ).toEqual(['web']);
    // …but not create, nor suspend.
    const denied = await flotilla(['binding', 'create', 'mine', '--repo', 'apps', '-n', 'team-a-mine'], {
      config: viewer,
    });
    const refused = await ops.call(
      'POST',
      '/tenants/team-a/bindings',
      { name: 'mine', repository: 'apps', namespace: 'team-a-mine' },
      await ops.hub.login('vic', password),
    );
    expect(refused.status).toBe(403);
    expect(denied).toMatchObject({ code: 4, stdout: '', stderr: `error: ${refused.body.detail}\n` });
    expect((await flotilla(['binding', 'suspend', 'web'], { config: viewer })).code).toBe(4);
    expect((await flotilla(['repo', 'refresh', 'apps'], { config: viewer })).code).toBe(4);
  });

  it('watch prints status changes live from the event stream', async () => {
    const web = (await ops.call('GET', '/tenants/team-a/bindings/web')).body;
    const edge = web.clusters.find((c: { name: string }) => c.name === 'edge-1');
    const child = startCli(['watch', '-t', 'team-a', '-o', 'json'], config);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      // Plays the agent of edge-1: reports that alternate in health, so each one is a change
      // (the first may land before the stream is open).
      const ingest = ops.hub.app.get(DeploymentIngest);
      for (let seq = 1; !/"health":\s*"Degraded"/.test(stdout) && seq < 60; seq++) {
        await ingest.ingest(edge.id, {
          kind: 'status',
          seq,
          sentAt: new Date().toISOString(),
          assignmentRevision: 1,
          bindings: [
            {
              bindingId: web.id,
              appliedDigest: edge.bundleDigest,
              commit: edge.commit,
              syncState: 'Synced',
              health: seq % 2 ? 'Degraded' : 'Healthy',
              objects: [],
              durations: { totalMs: 5 },
            },
          ],
        });
        await new Promise((resume) => setTimeout(resume, 250));
      }
      expect(stdout).toMatch(/"binding":\s*"web"/);
      expect(stdout).toMatch(/"cluster":\s*"edge-1"/);
      expect(stdout).toMatch(/"health":\s*"Degraded"/);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });
});
