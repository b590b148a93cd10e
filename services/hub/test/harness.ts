import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { createHubApp } from '../src/app.factory.js';
import { loadConfig, type HubConfig } from '../src/config/config.js';

const server = process.env.FLOTILLA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';
export const ADMIN_PASSWORD = 'admin-password-for-tests';

// Answers are inspected by the assertions themselves; a loose type keeps the tests readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Answer<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as-is, for malformed and oversized bodies. */
  raw?: string;
  headers?: Record<string, string>;
}

/** A real hub on a fresh, migrated database of its own, listening on a free port. */
export class TestHub {
  adminToken = '';

  private constructor(
    public app: INestApplication,
    public url: string,
    private readonly config: HubConfig,
    readonly databaseUrl: string,
    private readonly database: string,
    private readonly pool: pg.Pool,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<TestHub> {
    const database = `flotilla_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: `${server}/test` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const databaseUrl = `${server}/${database}`;
    const config: HubConfig = loadConfig({
      FLOTILLA_DATABASE_URL: databaseUrl,
      FLOTILLA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      FLOTILLA_LOG_LEVEL: 'silent',
      // Tests that need agents start their own NATS and pass FLOTILLA_NATS_MODE=external.
      FLOTILLA_NATS_MODE: 'disabled',
      FLOTILLA_ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
      // Polling is a background timer; tests that want it call RepositoryPoller.poll() themselves.
      FLOTILLA_GIT_POLLING: 'false',
      ...env,
    });
    const { app } = await createHubApp(config);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const hub = new TestHub(
      app,
      `http://127.0.0.1:${port}`,
      config,
      databaseUrl,
      database,
      new pg.Pool({ connectionString: databaseUrl, max: 2 }),
    );
    hub.adminToken = await hub.login('admin', ADMIN_PASSWORD);
    return hub;
  }

  async call<T = Json>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.adminToken : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${this.url}${path}`, { method, headers, body });
    // An event stream never ends: its status and headers are the answer.
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.body?.cancel();
      return { status: res.status, body: null as T, headers: res.headers };
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (metrics)
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async login(username: string, password: string): Promise<string> {
    const answer = await this.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { username, password },
    });
    if (answer.status !== 200)
      throw new Error(`login ${username} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.accessToken as string;
  }

  /** Creates a user and returns an access token for them. */
  async user(username: string): Promise<string> {
    const password = `${username}-password-123`;
    const created = await this.call('POST', '/api/v1/users', { body: { username, password } });
    if (created.status !== 201) throw new Error(`create user ${username}: ${created.status}`);
    return this.login(username, password);
  }

  async tenant(slug: string): Promise<void> {
    const created = await this.call('POST', '/api/v1/tenants', { body: { slug, displayName: slug } });
    if (created.status !== 201) throw new Error(`create tenant ${slug}: ${created.status}`);
  }

  async bind(
    tenant: string | null,
    kind: 'user' | 'group' | 'token',
    name: string,
    role: string,
  ): Promise<string> {
    const path = tenant ? `/api/v1/tenants/${tenant}/role-bindings` : '/api/v1/role-bindings';
    const answer = await this.call('POST', path, { body: { subject: { kind, name }, role } });
    if (answer.status !== 201)
      throw new Error(`bind ${kind}:${name} ${role}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.id as string;
  }

  /** Stops the hub, runs `whileDown`, and starts it again on the same database (a new port). */
  async restart(whileDown: () => Promise<void> = async () => undefined): Promise<void> {
    await this.app.close();
    await whileDown();
    const { app } = await createHubApp(this.config);
    await app.listen(0, '127.0.0.1');
    this.app = app;
    this.url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  }

  /** Direct SQL as the database owner, for checking what was (not) stored. */
  async sql<T = Json>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(text, params)).rows as T[];
  }

  async stop(): Promise<void> {
    await this.pool.end();
    await this.app.close();
    const admin = new pg.Client({ connectionString: `${server}/test` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await admin.end();
  }
}
