import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_AUDIENCE, JWT_ISSUER } from '../src/auth/access-tokens.js';
import { callers, endpoints, TENANT, type Caller } from './access-matrix.js';
import { TestHub } from './harness.js';

const JWT_SECRET = 'matrix-test-signing-secret-0123456789abcdef';

describe('role × endpoint matrix', () => {
  let hub: TestHub;
  const credentials = {} as Record<Caller, string | null>;

  beforeAll(async () => {
    hub = await TestHub.start({ FLOTILLA_JWT_SECRET: JWT_SECRET });
    await hub.tenant(TENANT);
    await hub.tenant('team-b');
    await hub.user('nobody'); // the login row signs in as this user
    for (const [caller, tenant, role] of [
      ['tenant-admin', TENANT, 'tenant-admin'],
      ['tenant-operator', TENANT, 'tenant-operator'],
      ['tenant-viewer', TENANT, 'tenant-viewer'],
      ['other-tenant-admin', 'team-b', 'tenant-admin'],
    ] as const) {
      credentials[caller] = await hub.user(caller);
      await hub.bind(tenant, 'user', caller, role);
    }
    credentials['no-role'] = await hub.login('nobody', 'nobody-password-123');
    credentials['platform-admin'] = hub.adminToken;
    credentials.anonymous = null;

    const token = async (name: string, body: Record<string, unknown>) => {
      const created = await hub.call('POST', '/api/v1/tokens', { body: { name, ...body } });
      expect(created.status).toBe(201);
      return created.body as { id: string; secret: string };
    };
    credentials['tenant-token'] = (await token('ci', { tenant: TENANT, role: 'tenant-operator' })).secret;
    // Both would be platform admins, were they still valid.
    const expired = await token('expired', { role: 'platform-admin', expiresIn: '1m' });
    await hub.sql(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.id,
    ]);
    credentials['expired-token'] = expired.secret;
    const revoked = await token('revoked', { role: 'platform-admin' });
    expect((await hub.call('DELETE', `/api/v1/tokens/${revoked.id}`)).status).toBe(204);
    credentials['revoked-token'] = revoked.secret;
    const [admin] = await hub.sql<{ id: string }>(`SELECT id FROM hub_user WHERE username = 'admin'`);
    credentials['expired-jwt'] = await new SignJWT({ name: 'admin', sv: 0 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(admin!.id)
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(JWT_SECRET));
  });
  afterAll(() => hub?.stop());

  it('has a row for every route the hub serves', () => {
    const router = hub.app.getHttpAdapter().getInstance().router as {
      stack: { route?: { path: string; methods: Record<string, boolean> } }[];
    };
    const served = router.stack
      .flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods)
              .filter((method) => method !== '_all')
              .map((method) => `${method.toUpperCase()} ${layer.route!.path}`)
          : [],
      )
      .filter((route) => !route.includes('/docs'));
    const table = endpoints.map((endpoint) => `${endpoint.method} ${endpoint.route}`);
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((route) => !table.includes(route))).toEqual([]);
    expect(table.filter((route) => !served.includes(route))).toEqual([]);
  });

  const rows = endpoints.flatMap((endpoint) =>
    callers.map((caller) => ({ endpoint, caller, status: endpoint.expect[caller] })),
  );
  it.each(rows)(
    '$endpoint.method $endpoint.route as $caller → $status',
    async ({ endpoint, caller, status }) => {
      const request = await endpoint.prepare(hub, status < 300);
      const answer = await hub.call(endpoint.method, request.path, {
        token: credentials[caller],
        body: request.body,
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      if (status >= 400) {
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(answer.body.status).toBe(status);
      }
    },
  );
});
