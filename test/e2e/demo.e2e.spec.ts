import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@flotilla/testing';

const root = fileURLToPath(new URL('../..', import.meta.url));
const server = 'postgres://postgres@127.0.0.1:5432';

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run demo` as a fresh clone runs it, with its own data dir, CLI config and database. */
function startDemo(dir: string, database: string, args: string[]): Promise<Run> {
  return freePort().then((port) => {
    const child = spawn(
      process.execPath,
      ['dist/services/demo/src/main.js', '--port', String(port), '--database', database, ...args],
      {
        cwd: root,
        env: {
          ...process.env,
          FLOTILLA_DATA_DIR: join(dir, 'data'),
          FLOTILLA_CONFIG: join(dir, 'config.json'),
          FLOTILLA_DATABASE_URL: `${server}/postgres`,
        },
      },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, output: () => output, exited };
  });
}

async function until(run: Run, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (Date.now() > deadline || run.child.exitCode !== null)
      throw new Error(`no "${text}" in the demo's output:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('npm run demo', () => {
  const databases: string[] = [];
  const dirs: string[] = [];
  const fresh = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-demo-'));
    const database = `flotilla_demo_e2e_${randomBytes(4).toString('hex')}`;
    dirs.push(dir);
    databases.push(database);
    return { dir, database };
  };

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: root });
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: `${server}/postgres` });
    await client.connect();
    for (const name of databases) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('reaches all Synced/Healthy, prints the fleet and logs the CLI in, then exits 0', async () => {
    const { dir, database } = await fresh();
    const run = await startDemo(dir, database, ['--exit-when-synced', '--timeout', '100']);
    const { code } = await run.exited;
    const output = run.output();
    expect(code, output).toBe(0);
    expect(output).toMatch(/All 3 deployments Synced and Healthy after [\d.]+s/);
    for (const [binding, cluster] of [
      ['web-dev', 'dev-1'],
      ['web-staging', 'staging-1'],
      ['web-prod', 'prod-1'],
    ]) {
      expect(output).toMatch(new RegExp(`${binding} +${cluster} +1 +[0-9a-f]{12} +Synced +Healthy`));
    }
    expect(output).toMatch(/Swagger UI: +http:\/\/localhost:\d+\/docs/);
    expect(output).toMatch(/Admin login: +admin \/ \S+/);
    expect(output).toContain('Stopped.');
    expect(output).not.toMatch(/^\s+at /m);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(config.currentContext).toBe('demo');
    expect(config.contexts[0]).toMatchObject({ name: 'demo', tokenKind: 'api', tenant: 'team-a' });
  });

  it('stops everything cleanly with exit 0 on Ctrl-C (SIGINT)', async () => {
    const { dir, database } = await fresh();
    const run = await startDemo(dir, database, ['--timeout', '100']);
    await until(run, 'Press Ctrl-C to stop everything.', 110_000);
    const hub = /Hub API: +(\S+)/.exec(run.output())![1]!;
    expect((await fetch(`${hub.replace('/api/v1', '')}/healthz`)).status).toBe(200);
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code, run.output()).toBe(0);
    expect(run.output()).toContain('Stopped.');
    // The hub's port is free again: nothing was left listening.
    await expect(fetch(`${hub.replace('/api/v1', '')}/healthz`)).rejects.toThrow();
  });
});
