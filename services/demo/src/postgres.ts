import { execFile } from 'node:child_process';
import { access, chown, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DemoError } from './errors.js';

const run = promisify(execFile);

/** Port of the PostgreSQL the demo starts itself: off 5432 so a later system install is not blocked. */
export const LOCAL_PORT = 54329;
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface DemoDatabase {
  /** Connection URL of the demo's own database. */
  url: string;
  /** Where it came from, for the summary. */
  origin: string;
  /** Stops the PostgreSQL the demo started (no-op for one that was already running). */
  stop(): Promise<void>;
}

/**
 * A fresh database named `name`: on the server of FLOTILLA_DATABASE_URL (default local 5432)
 * when it answers, else on a PostgreSQL the demo runs itself with its data in `<dataDir>/postgres`.
 * Only ever the demo's own database is dropped and recreated, never the one the URL names.
 */
export async function provideDatabase(options: {
  serverUrl?: string;
  name: string;
  dataDir: string;
  log: (line: string) => void;
}): Promise<DemoDatabase> {
  const server = new URL(options.serverUrl || DEFAULT_SERVER);
  if (await reachable(server)) {
    return {
      url: await recreate(server, options.name),
      origin: `PostgreSQL at ${server.host}`,
      stop: async () => {},
    };
  }
  const local = new URL(`postgres://postgres@127.0.0.1:${LOCAL_PORT}/postgres`);
  if (await reachable(local)) {
    // Left running by an earlier demo that was killed: reuse it, it was not started by us.
    return {
      url: await recreate(local, options.name),
      origin: `PostgreSQL at ${local.host}`,
      stop: async () => {},
    };
  }
  options.log(`PostgreSQL at ${server.host} is not reachable; starting a local one`);
  const dir = resolve(options.dataDir, 'postgres');
  const stop = await startLocal(dir);
  try {
    return { url: await recreate(local, options.name), origin: `local PostgreSQL in ${dir}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function reachable(server: URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: maintenance(server), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function maintenance(server: URL): string {
  const url = new URL(server);
  url.pathname = '/postgres';
  return url.toString();
}

async function recreate(server: URL, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: maintenance(server) });
  await client.connect();
  try {
    const quoted = client.escapeIdentifier(name);
    // FORCE ends connections a killed earlier demo may have left behind.
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoted}`);
  } finally {
    await client.end();
  }
  const url = new URL(server);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** initdb (first time) and pg_ctl start; as root both run as the `postgres` user, which initdb demands. */
async function startLocal(dir: string): Promise<() => Promise<void>> {
  const bin = await findBinaries();
  const asRoot = process.getuid?.() === 0;
  const exec = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args])
      : run(join(bin, program), args);
  const fresh = !(await exists(join(dir, 'PG_VERSION')));
  try {
    if (fresh) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (asRoot) await chownToPostgres(dir);
      await exec('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '--no-sync']);
    }
    await exec('pg_ctl', [
      '-D',
      dir,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${LOCAL_PORT} -k ${dir} -c listen_addresses=127.0.0.1`,
      '-w',
      'start',
    ]);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new DemoError(
      `could not start a local PostgreSQL in ${dir}:\n  ${detail}\n` +
        `See ${join(dir, 'server.log')}` +
        (asRoot ? `; the user "postgres" must be able to read every parent directory of ${dir}` : '') +
        `, or set FLOTILLA_DATABASE_URL to a PostgreSQL you run.`,
    );
  }
  return async () => {
    await exec('pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  };
}

/** The directory holding initdb and pg_ctl: PATH first, then Debian's versioned directories. */
async function findBinaries(): Promise<string> {
  const candidates = (process.env.PATH ?? '').split(':').filter(Boolean);
  const debian = '/usr/lib/postgresql';
  const versions = await readdir(debian).catch(() => [] as string[]);
  candidates.push(...versions.sort((a, b) => Number(b) - Number(a)).map((v) => join(debian, v, 'bin')));
  for (const dir of candidates) {
    if ((await exists(join(dir, 'initdb'))) && (await exists(join(dir, 'pg_ctl')))) return dir;
  }
  throw new DemoError(
    'PostgreSQL is not reachable and its server programs (initdb, pg_ctl) are not installed.\n' +
      '  Install them (Debian/Ubuntu: `sudo apt-get install postgresql`; macOS: `brew install postgresql@16`)\n' +
      '  or point the demo at a running server: FLOTILLA_DATABASE_URL=postgres://user:pass@host:5432/postgres npm run demo',
  );
}

async function chownToPostgres(dir: string): Promise<void> {
  const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
    throw new DemoError('running as root, but there is no "postgres" user to run the local PostgreSQL as');
  });
  const { stdout: group } = await run('id', ['-g', 'postgres']);
  await chown(dir, Number(stdout.trim()), Number(group.trim()));
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
