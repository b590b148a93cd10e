import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const main = 'dist/services/hub/src/main.js';
const server = 'postgres://postgres@127.0.0.1:5432';

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts the built hub like `npm start` does and waits for it to print its URLs. */
function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [main], { cwd: root, env: { ...process.env, ...env } });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /OpenAPI docs: +(http:\/\/\S+)\/docs/.exec(output);
      if (match) {
        clearTimeout(timer);
        // the generated password is written right after the URLs
        setTimeout(() => resolve({ child, url: match[1]!, output: () => output }), 200);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`hub exited with ${code}:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

const login = (url: string, password: string) =>
  fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });

describe('hub start (npm start)', () => {
  const database = `flotilla_e2e_${randomBytes(5).toString('hex')}`;
  const env = {
    FLOTILLA_PORT: '0',
    FLOTILLA_DATABASE_URL: `${server}/${database}`,
    FLOTILLA_LOG_LEVEL: 'warn',
    FLOTILLA_ADMIN_PASSWORD: '',
  };

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: root });
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: `${server}/test` });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.end();
  });

  it('creates its database, migrates, prints the URLs and a generated admin password once', async () => {
    const first = await start(env);
    expect(first.output()).toContain(`created database ${database}`);
    expect(first.output()).toMatch(/Flotilla hub API: +http:\/\/localhost:\d+\/api\/v1/);
    const password = /shown only now\):\n +(\S+)/.exec(first.output())?.[1];
    expect(password).toBeDefined();
    expect((await login(first.url, password!)).status).toBe(200);
    expect((await fetch(`${first.url}/docs`)).status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    const second = await start(env);
    expect(second.output()).not.toContain('shown only now');
    expect(second.output()).not.toContain(password);
    expect((await login(second.url, password!)).status).toBe(200);
    await stop(second.child);
  });

  it('refuses to start on a bad setting, naming the variable', async () => {
    const result = await promisify(execFile)(process.execPath, [main], {
      cwd: root,
      env: { ...process.env, FLOTILLA_PORT: 'eighty', FLOTILLA_DATABASE_URL: 'mysql://x/y' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toContain('FLOTILLA_PORT');
    expect(result.stderr).toContain('FLOTILLA_DATABASE_URL');
  });
});
