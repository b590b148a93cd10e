import { createHash } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_AUDIENCE, JWT_ISSUER } from '../src/auth/access-tokens.js';
import { TestHub } from './harness.js';

const SECRET = 'credentials-test-signing-secret-0123456789';

describe('credentials: API tokens, access tokens (JWT), logins', () => {
  let hub: TestHub;
  let adminId: string;

  beforeAll(async () => {
    hub = await TestHub.start({ FLOTILLA_JWT_SECRET: SECRET, FLOTILLA_LOGIN_MAX_FAILURES: '3' });
    await hub.tenant('team-a');
    await hub.tenant('team-b');
    adminId = (await hub.sql(`SELECT id FROM hub_user WHERE username = 'admin'`))[0].id;
  });
  afterAll(() => hub?.stop());

  const me = (token: string | null) => hub.call('GET', '/api/v1/me', { token });
  const createToken = async (body: Record<string, unknown>) => {
    const answer = await hub.call('POST', '/api/v1/tokens', { body });
    expect(answer.status).toBe(201);
    return answer.body as { id: string; secret: string; expiresAt: string | null; tenant: string | null };
  };

  describe('API tokens', () => {
    it('shows the secret once and stores only its sha256', async () => {
      const token = await createToken({
        name: 'ci',
        tenant: 'team-a',
        role: 'tenant-operator',
        expiresIn: '30d',
      });
      expect(token.secret).toMatch(/^flt_[A-Za-z0-9_-]{43}$/);
      expect(token.tenant).toBe('team-a');
      expect(Date.parse(token.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
      const [row] = await hub.sql('SELECT token_hash FROM api_token WHERE id = $1', [token.id]);
      expect(row.token_hash).toBe(createHash('sha256').update(token.secret).digest('hex'));
      const list = await hub.call('GET', '/api/v1/tokens');
      expect(JSON.stringify(list.body)).not.toContain(token.secret);
      expect(JSON.stringify(list.body)).not.toContain(row.token_hash);
    });

    it('authenticates, records lastUsedAt, and stays inside its tenant', async () => {
      const token = await createToken({ name: 'deployer', tenant: 'team-a', role: 'tenant-admin' });
      expect((await me(token.secret)).body).toEqual({ kind: 'token', name: 'deployer', tenant: 'team-a' });
      const [row] = await hub.sql('SELECT last_used_at FROM api_token WHERE id = $1', [token.id]);
      expect(row.last_used_at).not.toBeNull();
      expect((await hub.call('GET', '/api/v1/tenants/team-a', { token: token.secret })).status).toBe(200);
      expect((await hub.call('GET', '/api/v1/tenants/team-b', { token: token.secret })).status).toBe(404);
      const tenants = await hub.call('GET', '/api/v1/tenants', { token: token.secret });
      expect(tenants.body.items.map((t: { slug: string }) => t.slug)).toEqual(['team-a']);
      // A tenant token cannot be bound anywhere else: at platform scope it is not even found.
      const elsewhere = await hub.call('POST', '/api/v1/role-bindings', {
        body: { subject: { kind: 'token', name: 'deployer' }, role: 'platform-admin' },
      });
      expect(elsewhere.status).toBe(400);
    });

    it('stops working once expired', async () => {
      const token = await createToken({ name: 'short', role: 'platform-admin', expiresIn: '1m' });
      expect((await me(token.secret)).status).toBe(200);
      await hub.sql(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        token.id,
      ]);
      const answer = await me(token.secret);
      expect(answer.status).toBe(401);
      expect(answer.body.type).toBe('https://flotilla.dev/problems/unauthenticated');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('stops working once revoked; revocation is idempotent and leaves the token listed', async () => {
      const token = await createToken({ name: 'temp', role: 'platform-admin' });
      expect((await me(token.secret)).status).toBe(200);
      expect((await hub.call('DELETE', `/api/v1/tokens/${token.id}`)).status).toBe(204);
      expect((await me(token.secret)).status).toBe(401);
      expect((await hub.call('DELETE', `/api/v1/tokens/${token.id}`)).status).toBe(204);
      const list = await hub.call('GET', '/api/v1/tokens?limit=500');
      const listed = list.body.items.find((t: { id: string }) => t.id === token.id);
      expect(listed.revokedAt).not.toBeNull();
      expect(await hub.sql(`SELECT 1 FROM role_binding WHERE subject_id = $1`, [token.id])).toHaveLength(0);
    });

    it('rejects made-up and truncated secrets', async () => {
      expect((await me('flt_made-up')).status).toBe(401);
      const token = await createToken({ name: 'real', role: 'platform-admin' });
      expect((await me(token.secret.slice(0, -1))).status).toBe(401);
    });
  });

  describe('access tokens (JWT)', () => {
    const key = new TextEncoder().encode(SECRET);
    const base = () =>
      new SignJWT({ name: 'admin', sv: 0 })
        .setSubject(adminId)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m');

    it('accepts a well-formed token signed with the hub key (control)', async () => {
      expect((await me(await base().setProtectedHeader({ alg: 'HS256' }).sign(key))).status).toBe(200);
    });

    it.each([
      [
        'alg none',
        async () =>
          new UnsecuredJWT({ name: 'admin', sv: 0 })
            .setSubject('x')
            .setIssuer(JWT_ISSUER)
            .setAudience(JWT_AUDIENCE)
            .setIssuedAt()
            .setExpirationTime('5m')
            .encode(),
      ],
      [
        'a foreign key',
        async () =>
          base()
            .setProtectedHeader({ alg: 'HS256' })
            .sign(new TextEncoder().encode('x'.repeat(48))),
      ],
      [
        'another algorithm',
        async () =>
          base()
            .setProtectedHeader({ alg: 'HS512' })
            .sign(new TextEncoder().encode(SECRET.repeat(2))),
      ],
      [
        'an expired token',
        async () =>
          base()
            .setProtectedHeader({ alg: 'HS256' })
            .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
            .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
            .sign(key),
      ],
      [
        'a wrong issuer',
        async () => base().setIssuer('someone-else').setProtectedHeader({ alg: 'HS256' }).sign(key),
      ],
      [
        'a wrong audience',
        async () => base().setAudience('another-api').setProtectedHeader({ alg: 'HS256' }).sign(key),
      ],
      ['garbage', async () => 'not.a.jwt'],
    ])('rejects %s with 401', async (_case, make) => {
      const answer = await me(await make());
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toMatch(/problem\+json/);
    });

    it('stop working when the user is disabled or their password is reset', async () => {
      const frank = await hub.user('frank');
      expect((await me(frank)).status).toBe(200);
      await hub.call('POST', '/api/v1/users/frank/reset-password', {
        body: { password: 'frank-new-password' },
      });
      expect((await me(frank)).status).toBe(401);
      const fresh = await hub.login('frank', 'frank-new-password');
      expect((await me(fresh)).status).toBe(200);
      await hub.call('POST', '/api/v1/users/frank/disable');
      expect((await me(fresh)).status).toBe(401);
      const login = await hub.call('POST', '/api/v1/auth/login', {
        token: null,
        body: { username: 'frank', password: 'frank-new-password' },
      });
      expect(login.status).toBe(401);
      await hub.call('POST', '/api/v1/users/frank/enable');
      expect((await me(await hub.login('frank', 'frank-new-password'))).status).toBe(200);
    });
  });

  describe('login', () => {
    const attempt = (username: string, password: string) =>
      hub.call('POST', '/api/v1/auth/login', { token: null, body: { username, password } });

    it('answers alike for an unknown user and a wrong password', async () => {
      const unknown = await attempt('nobody-at-all', 'whatever-password');
      const wrong = await attempt('admin', 'not-the-password');
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body.detail).toBe(wrong.body.detail);
    });

    it('is rate-limited per username and client with 429 problem+json', async () => {
      await hub.user('grace');
      for (let i = 0; i < 3; i++) expect((await attempt('grace', 'wrong-password')).status).toBe(401);
      const limited = await attempt('grace', 'grace-password-123'); // even the right password
      expect(limited.status).toBe(429);
      expect(limited.body.type).toBe('https://flotilla.dev/problems/rate-limited');
      expect(limited.body.retryAfter).toBeGreaterThan(0);
      expect(limited.headers.get('retry-after')).toBe(String(limited.body.retryAfter));
      expect((await attempt('admin', 'admin-password-for-tests')).status).toBe(200); // others unaffected
    });
  });
});
