import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@flotilla/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Run } from './cli-process.js';
import { ADMIN_PASSWORD, TestHub } from '../../services/hub/test/harness.js';

// The real CLI (bin/flotilla.mjs → dist) as a child process against a real hub on a fresh database.

let hub: TestHub;
let dir: string;
let config: string;

function flotilla(args: string[], options: { input?: string; config?: string } = {}): Promise<Run> {
  return runCli(args, options.config ?? config, options.input);
}

const json = (run: Run) => JSON.parse(run.stdout) as any; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  hub = await TestHub.start({ FLOTILLA_NATS_MODE: 'disabled' });
  dir = await mkdtemp(join(tmpdir(), 'flotilla-cli-e2e-'));
  config = join(dir, 'nested', 'config.json');
  // Builds dist/ if needed, so the timed tests below do not each race to build it.
  expect((await flotilla(['--help'])).code).toBe(0);
});

afterAll(async () => {
  await hub?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('flotilla CLI against a real hub', () => {
  it('needs a login first (exit 3), and refuses bad usage (exit 2)', async () => {
    const none = await flotilla(['tenant', 'list']);
    expect(none).toMatchObject({ code: 3, stdout: '' });
    expect(none.stderr).toBe('error: no current context: run `flotilla login <server>` first\n');

    const unknown = await flotilla(['tenant', 'list', '--colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--colour'");

    const format = await flotilla(['-o', 'xml', 'context', 'list']);
    expect(format).toMatchObject({
      code: 2,
      stderr: 'error: unknown output format "xml": use one of table, json, yaml\n',
    });
  });

  it('rejects a wrong password with the hub’s message, and an unreachable hub naming its URL', async () => {
    const wrong = await flotilla(['login', hub.url, '-u', 'admin', '--password-stdin'], {
      input: 'not-the-password\n',
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).not.toContain('log in again');
    expect(wrong.stderr).toMatch(/^error: .*(invalid|incorrect|wrong).*/i);
    await expect(stat(config)).rejects.toThrow(/ENOENT/);

    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await flotilla(['login', closed, '--token', 'flt_x']);
    expect(down.code).toBe(6);
    expect(down.stderr).toBe(`error: cannot reach the hub at ${closed}/api/v1/me: ECONNREFUSED\n`);
  });

  it('logs in with a password from stdin and stores the context in a 0600 file', async () => {
    const login = await flotilla(
      ['login', hub.url, '-u', 'admin', '--password-stdin', '--context', 'admin'],
      {
        input: `${ADMIN_PASSWORD}\n`,
      },
    );
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toBe(`Logged in to ${hub.url} as user admin; context "admin" is now current.\n`);
    expect((await stat(config)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(config, 'utf8'));
    expect(stored.currentContext).toBe('admin');
    expect(stored.contexts[0]).toMatchObject({
      name: 'admin',
      server: hub.url,
      user: 'user:admin',
      tokenKind: 'access',
    });
    expect(stored.contexts[0].token).toMatch(/^ey/);
    expect(login.stdout + login.stderr).not.toContain(ADMIN_PASSWORD);

    expect((await flotilla(['me'])).stdout).toBe('KIND   NAME    TENANT\nuser   admin   -\n');
    expect((await flotilla(['context', 'current'])).stdout).toBe('admin\n');
    const perms = json(await flotilla(['me', 'permissions', '-o', 'json']));
    expect(perms.platform).toContain('tenants:create');
  });

  it('manages tenants: create, list, get, update, delete, with errors mapped to exit codes', async () => {
    const created = await flotilla([
      'tenant',
      'create',
      'team-a',
      '--display-name',
      'Team A',
      '--quota',
      'clusters=5',
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /^SLUG\s+DISPLAY NAME\s+QUOTAS\s+CREATED\nteam-a\s+Team A\s+clusters=5\s+\d{4}-/,
    );
    expect((await flotilla(['tenant', 'create', 'team-b'])).code).toBe(0);

    const list = json(await flotilla(['tenant', 'list', '-o', 'json']));
    expect(list.map((t: { slug: string }) => t.slug)).toEqual(['team-a', 'team-b']);
    const yaml = await flotilla(['tenant', 'get', 'team-a', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^slug: team-a\ndisplayName: Team A\nquotas:\n {2}clusters: 5\n/);

    const updated = json(
      await flotilla(['tenant', 'update', 'team-b', '--display-name', 'Team B', '-o', 'json']),
    );
    expect(updated).toMatchObject({ slug: 'team-b', displayName: 'Team B' });
    expect(await flotilla(['tenant', 'update', 'team-b'])).toMatchObject({
      code: 2,
      stderr: 'error: nothing to change: give --display-name, --quota or --from-file\n',
    });

    const missing = await flotilla(['tenant', 'get', 'nope']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/^error: .*nope.*not found/);

    const invalid = await flotilla(['tenant', 'create', 'Bad_Slug!']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: slug: /);

    const duplicate = await flotilla(['tenant', 'create', 'team-a']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);

    expect(await flotilla(['tenant', 'delete', 'team-b'])).toMatchObject({
      code: 0,
      stdout: 'Tenant team-b deleted.\n',
    });
    expect((await flotilla(['tenant', 'get', 'team-b'])).code).toBe(5);
  });

  it('manages users and role bindings; a tenant viewer is refused with exit 4 and the hub’s message', async () => {
    const user = await flotilla(
      ['user', 'create', 'vera', '--email', 'vera@example.com', '--password-stdin'],
      {
        input: 'vera-password-123\n',
      },
    );
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/\nvera\s+-\s+vera@example\.com\s+local\s+Active/);
    expect(user.stdout).not.toContain('vera-password-123');

    const short = await flotilla(['user', 'create', 'shorty', '--password-stdin'], { input: 'short\n' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('password: must be at least 12 characters');

    const noPassword = await flotilla(['user', 'create', 'nopw']);
    expect(noPassword).toMatchObject({
      code: 2,
      stderr: 'error: no terminal to ask for the password: pipe it in with --password-stdin\n',
    });

    const bound = await flotilla([
      'rolebinding',
      'create',
      '--tenant',
      'team-a',
      '--user',
      'vera',
      '--role',
      'tenant-viewer',
    ]);
    expect(bound.code).toBe(0);
    expect(bound.stdout).toMatch(/team-a\s+user:vera\s+tenant-viewer\s+user:admin/);
    const bindings = json(await flotilla(['rb', 'list', '-t', 'team-a', '-o', 'json']));
    expect(bindings).toEqual([
      expect.objectContaining({ subject: { kind: 'user', name: 'vera' }, role: 'tenant-viewer' }),
    ]);
    expect(
      (await flotilla(['rolebinding', 'create', '--user', 'vera', '--group', 'g', '--role', 'x'])).code,
    ).toBe(2);

    const login = await flotilla(
      ['login', hub.url, '-u', 'vera', '--password-stdin', '--context', 'vera', '--tenant', 'team-a'],
      {
        input: 'vera-password-123\n',
      },
    );
    expect(login.code).toBe(0);
    expect((await flotilla(['context', 'current'])).stdout).toBe('vera\n');

    const expected = await hub.call('POST', '/api/v1/tenants', {
      token: await hub.login('vera', 'vera-password-123'),
      body: { slug: 'mine', displayName: 'mine' },
    });
    expect(expected.status).toBe(403);
    const denied = await flotilla(['tenant', 'create', 'mine']);
    expect(denied).toMatchObject({ code: 4, stdout: '', stderr: `error: ${expected.body.detail}\n` });
    expect((await flotilla(['tenant', 'list'])).stdout).toMatch(/^SLUG.*\nteam-a\s/);

    const roles = await flotilla(['role', 'get', 'tenant-viewer', '--context', 'admin']);
    expect(roles.stdout).toMatch(/Name:\s+tenant-viewer\nTenant:\s+\(platform\)\nBuiltin:\s+true/);

    const disabled = await flotilla(['--context', 'admin', 'user', 'disable', 'vera']);
    expect(disabled.stdout).toMatch(/vera\s+.*Disabled/);
    expect((await flotilla(['me'])).code).toBe(3);

    await flotilla(['context', 'use', 'admin']);
  });

  it('creates an API token showing its secret once, logs in with it, revokes it by name', async () => {
    const created = await flotilla([
      'token',
      'create',
      'ci',
      '--tenant',
      'team-a',
      '--role',
      'tenant-viewer',
      '--expires-in',
      '30d',
    ]);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Secret (shown only now');
    const secret = created.stdout.trimEnd().split('\n').at(-1)!;
    expect(secret).toMatch(/^flt_/);

    const listed = await flotilla(['token', 'list']);
    expect(listed.stdout).toMatch(/ci\s+team-a\s+user:admin\s+\d{4}-.*Active/);
    expect(listed.stdout).not.toContain(secret);

    const ciConfig = join(dir, 'ci.json');
    const login = await flotilla(['login', hub.url, '--token', secret], { config: ciConfig });
    expect(login.stdout).toContain('as token ci;');
    expect(JSON.parse(await readFile(ciConfig, 'utf8')).contexts[0]).toMatchObject({
      tenant: 'team-a',
      tokenKind: 'api',
    });
    expect((await flotilla(['me'], { config: ciConfig })).stdout).toMatch(/token\s+ci\s+team-a/);

    expect(await flotilla(['token', 'revoke', 'ci'])).toMatchObject({
      code: 0,
      stdout: 'Token ci revoked.\n',
    });
    const revoked = await flotilla(['me'], { config: ciConfig });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toMatch(/^error: .+ \(log in again: `flotilla login <server>`\)\n$/);
    expect((await flotilla(['token', 'revoke', 'ci'])).code).toBe(5);
  });

  it('reads the audit log with filters and verifies its chain', async () => {
    const events = json(
      await flotilla(['audit', '--action', 'tenants:create', '--since', '1h', '-o', 'json']),
    );
    expect(events.map((e: { target: string }) => e.target)).toEqual(
      expect.arrayContaining(['tenant/team-a']),
    );
    expect(events.every((e: { action: string }) => e.action === 'tenants:create')).toBe(true);

    const denied = await flotilla(['audit', '--outcome', 'denied', '--actor', 'user:vera']);
    expect(denied.stdout).toMatch(/user:vera\s+tenants:create\s+.*denied/);

    expect(await flotilla(['audit', '--verify'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Audit chain intact: \d+ events checked\.\n$/),
    });
    expect((await flotilla(['audit', '--since', 'yesterday'])).code).toBe(2);
  });

  it('lists, switches, logs out of and deletes contexts', async () => {
    const list = await flotilla(['context', 'list']);
    expect(list.stdout).toMatch(
      /^CURRENT\s+NAME\s+SERVER\s+USER\s+TENANT\n\*\s+admin\s+http:\S+\s+user:admin\s+-\n\s+vera\s+\S+\s+user:vera\s+team-a\n$/,
    );
    expect(list.stdout).not.toMatch(/ey[A-Za-z0-9_-]{20,}/);

    expect((await flotilla(['context', 'use', 'nope'])).code).toBe(5);
    expect(await flotilla(['logout'])).toMatchObject({
      code: 0,
      stdout: `Logged out of ${hub.url} (context "admin").\n`,
    });
    const after = await flotilla(['tenant', 'list']);
    expect(after).toMatchObject({
      code: 3,
      stderr: `error: not logged in to ${hub.url}: run \`flotilla login ${hub.url}\`\n`,
    });
    expect(
      JSON.parse(await readFile(config, 'utf8')).contexts.find((c: { name: string }) => c.name === 'admin')
        .token,
    ).toBeUndefined();

    expect((await flotilla(['context', 'delete', 'vera'])).code).toBe(0);
    expect(
      json(await flotilla(['context', 'list', '-o', 'json'])).map((c: { name: string }) => c.name),
    ).toEqual(['admin']);
  });
});

// Clusters and grants against the real hub; repositories, bindings and status, which need a
// Git server, are in cli-gitops.e2e.spec.ts.
describe('flotilla cluster and grant against a real hub', () => {
  const fleetConfig = () => join(dir, 'fleet.json');
  const run = (args: string[]) => flotilla(args, { config: fleetConfig() });

  beforeAll(async () => {
    const login = await flotilla(['login', hub.url, '-u', 'admin', '--password-stdin'], {
      config: fleetConfig(),
      input: ADMIN_PASSWORD,
    });
    expect(login.code).toBe(0);
  });

  it('registers clusters, prints the install command, writes install.yaml 0600, relabels, deletes', async () => {
    expect((await run(['tenant', 'create', 'fleet-a'])).code).toBe(0);

    const added = await run(['cluster', 'add', 'edge-1', '--labels', 'env=prod']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^Cluster edge-1 registered\..*\n {2}curl .*\/api\/v1\/clusters\/edge-1\/install\.yaml \| kubectl apply -f -\n$/,
    );

    const asJson = json(
      await run(['cluster', 'add', 'edge-2', '--labels', 'env=prod,tier=web', '-o', 'json']),
    );
    expect(asJson).toMatchObject({
      name: 'edge-2',
      labels: { env: 'prod', tier: 'web' },
      tenant: null,
      state: 'Pending',
    });
    expect(asJson.registrationToken).toBeUndefined();

    const file = join(dir, 'install.yaml');
    const dedicated = await run(['cluster', 'add', 'edge-3', '--tenant', 'fleet-a', '--output-file', file]);
    expect(dedicated.stdout).toBe(
      `Cluster edge-3 registered. Install the agent with:\n  kubectl apply -f ${file}\n`,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/kind: Namespace\n[\s\S]*name: flotilla-system/);

    const relabelled = await run(['cluster', 'label', 'edge-1', 'env=staging', 'zone=a']);
    expect(relabelled.stdout).toMatch(/\nedge-1\s+\(shared\)\s+Pending\s+env=staging,zone=a\s/);
    expect((await run(['cluster', 'label', 'edge-1', 'zone-'])).stdout).toMatch(/\senv=staging\s/);

    const prod = await run(['cluster', 'list', '-l', 'env=prod']);
    expect(
      prod.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(['NAME', 'edge-2']);
    const mine = json(await run(['cluster', 'list', '-t', 'fleet-a', '-o', 'json']));
    expect(mine.map((c: { name: string }) => c.name)).toEqual(['edge-3']);

    const yaml = await run(['cluster', 'install-yaml', 'edge-2']);
    expect(yaml.stdout).toContain('# Flotilla agent for cluster "edge-2"');

    expect(await run(['cluster', 'delete', 'edge-1'])).toMatchObject({
      code: 0,
      stdout: 'Cluster edge-1 deleted.\n',
    });
    expect((await run(['cluster', 'get', 'edge-1'])).code).toBe(5);
    expect((await run(['cluster', 'add', 'Bad_Name'])).code).toBe(1);
    expect((await run(['cluster', 'add', 'x', '--labels', 'env'])).code).toBe(2);
  });

  it('creates, lists and deletes grants', async () => {
    const created = await run([
      'grant',
      'create',
      'prod',
      '-t',
      'fleet-a',
      '--selector',
      'env=prod',
      '--namespaces',
      'fleet-a-*,shared',
      '--rule',
      'object.kind != "Secret"',
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/\nprod\s+env=prod\s+fleet-a-\*,shared\s+-\s+1\n$/);

    const listed = json(await run(['grant', 'list', '-t', 'fleet-a', '-o', 'json']));
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'prod',
        rules: [{ expression: 'object.kind != "Secret"', message: 'must satisfy: object.kind != "Secret"' }],
      }),
    ]);

    const badRule = await run([
      'grant',
      'create',
      'bad',
      '-t',
      'fleet-a',
      '--namespaces',
      'x',
      '--rule',
      'object.kind ==',
    ]);
    expect(badRule.code).toBe(1);
    expect(badRule.stderr).toMatch(/^error: rules/);

    expect((await run(['grant', 'create', 'x', '-t', 'fleet-a'])).code).toBe(2);
    expect(await run(['grant', 'delete', 'prod', '-t', 'fleet-a'])).toMatchObject({
      code: 0,
      stdout: 'Grant prod deleted.\n',
    });
    expect((await run(['grant', 'list', '-t', 'fleet-a'])).stderr).toBe('No resources found.\n');
  });
});
