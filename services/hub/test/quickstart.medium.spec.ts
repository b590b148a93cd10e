import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHub } from './harness.js';

// The README quickstart, request for request.
describe('quickstart', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await TestHub.start();
  });
  afterAll(() => hub?.stop());

  it('admin onboards a team, its admin signs in and mints a CI token, admin reads the trail', async () => {
    const tenant = await hub.call('POST', '/api/v1/tenants', {
      body: { slug: 'team-a', displayName: 'Team A' },
    });
    expect(tenant.status).toBe(201);
    expect(tenant.body).toMatchObject({ slug: 'team-a', displayName: 'Team A', quotas: {} });

    const user = await hub.call('POST', '/api/v1/users', {
      body: { username: 'alice', password: 'correct-horse-battery' },
    });
    expect(user.status).toBe(201);
    expect(user.body).toMatchObject({ username: 'alice', disabled: false });
    expect(JSON.stringify(user.body)).not.toContain('correct-horse');

    const binding = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
      body: { subject: { kind: 'user', name: 'alice' }, role: 'tenant-admin' },
    });
    expect(binding.status).toBe(201);
    expect(binding.body).toMatchObject({
      tenant: 'team-a',
      subject: { kind: 'user', name: 'alice' },
      role: 'tenant-admin',
    });

    const login = await hub.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { username: 'alice', password: 'correct-horse-battery' },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const alice = login.body.accessToken as string;

    const permissions = await hub.call('GET', '/api/v1/me/permissions', { token: alice });
    expect(permissions.body.tenants).toEqual([
      { tenant: 'team-a', permissions: expect.arrayContaining(['tokens:write', 'bindings:sync']) },
    ]);

    const token = await hub.call('POST', '/api/v1/tokens', {
      token: alice,
      body: { name: 'ci', tenant: 'team-a', role: 'tenant-operator', expiresIn: '30d' },
    });
    expect(token.status).toBe(201);
    expect(token.body).toMatchObject({ name: 'ci', tenant: 'team-a', role: 'tenant-operator' });
    const ci = token.body.secret as string;
    expect((await hub.call('GET', '/api/v1/tenants/team-a', { token: ci })).status).toBe(200);
    expect((await hub.call('GET', '/api/v1/users', { token: ci })).status).toBe(403);

    const trail = await hub.call('GET', '/api/v1/audit?limit=50');
    expect(trail.status).toBe(200);
    expect(trail.body.nextCursor).toBeNull();
    const story = trail.body.items
      .map(
        (e: { actor: { name: string }; action: string; target: string; outcome: string }) =>
          `${e.actor.name} ${e.action} ${e.target} ${e.outcome}`,
      )
      .reverse();
    expect(story).toEqual([
      'bootstrap users:create user/admin success',
      'admin auth:login user/admin success',
      'admin tenants:create tenant/team-a success',
      'admin users:create user/alice success',
      'admin rolebindings:create role-binding/tenant/team-a/user:alice/tenant-admin success',
      'alice auth:login user/alice success',
      'alice rolebindings:create role-binding/tenant/team-a/token:ci/tenant-operator success',
      expect.stringMatching(/^alice tokens:create token\/[0-9a-f-]{36} success$/),
      'ci users:read GET /api/v1/users denied',
    ]);
    for (const event of trail.body.items) {
      expect(event).toEqual(
        expect.objectContaining({
          action: expect.any(String),
          actor: expect.any(Object),
          outcome: expect.any(String),
        }),
      );
      expect(Object.keys(event)).toEqual(expect.arrayContaining(['tenant', 'target', 'requestId', 'at']));
    }
    expect((await hub.call('GET', '/api/v1/audit/verify')).body.ok).toBe(true);
  });
});
