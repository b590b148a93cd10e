import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHub } from './harness.js';

describe('cross-tenant isolation: a tenant-admin of team-a against team-b', () => {
  let hub: TestHub;
  let alice: string;
  const b = { bindingId: '', tokenId: '' };

  beforeAll(async () => {
    hub = await TestHub.start();
    await hub.tenant('team-a');
    await hub.tenant('team-b');
    alice = await hub.user('alice');
    await hub.user('bob');
    await hub.bind('team-a', 'user', 'alice', 'tenant-admin');
    b.bindingId = await hub.bind('team-b', 'user', 'bob', 'tenant-admin');
    b.tokenId = (
      await hub.call('POST', '/api/v1/tokens', { body: { name: 'deploy', tenant: 'team-b' } })
    ).body.id;
    await hub.call('POST', '/api/v1/roles', {
      body: { name: 'b-secret-role', permissions: ['bindings:read'], tenant: 'team-b' },
    });
  });
  afterAll(() => hub?.stop());

  const asAlice = (method: string, path: string, body?: unknown) =>
    hub.call(method, path, { token: alice, body });

  it.each([
    ['GET', '/api/v1/tenants/team-b', undefined],
    ['PATCH', '/api/v1/tenants/team-b', { displayName: 'Mine now' }],
    ['DELETE', '/api/v1/tenants/team-b?force=true', undefined],
    ['GET', '/api/v1/tenants/team-b/role-bindings', undefined],
    [
      'POST',
      '/api/v1/tenants/team-b/role-bindings',
      { subject: { kind: 'user', name: 'alice' }, role: 'tenant-admin' },
    ],
    ['POST', '/api/v1/tokens', { name: 'sneaky', tenant: 'team-b', role: 'tenant-admin' }],
    ['GET', '/api/v1/tokens?tenant=team-b', undefined],
    ['POST', '/api/v1/roles', { name: 'sneaky', permissions: ['bindings:read'], tenant: 'team-b' }],
    ['GET', '/api/v1/roles?tenant=team-b', undefined],
    ['DELETE', '/api/v1/roles/b-secret-role?tenant=team-b', undefined],
    ['GET', '/api/v1/audit?tenant=team-b', undefined],
  ])('%s %s → 404, indistinguishable from a tenant that does not exist', async (method, path, body) => {
    const answer = await asAlice(method, path, body);
    expect(answer.status).toBe(404);
    const ghost = await asAlice(method, path.replace('team-b', 'team-zz'), body);
    expect(ghost.status).toBe(404);
    expect(answer.body.detail).toBe(ghost.body.detail.replace('team-zz', 'team-b'));
    expect(answer.body.type).toBe(ghost.body.type);
  });

  it("cannot revoke team-b's token or delete its role binding by id", async () => {
    expect((await asAlice('DELETE', `/api/v1/tokens/${b.tokenId}`)).status).toBe(404);
    expect((await asAlice('DELETE', `/api/v1/tenants/team-a/role-bindings/${b.bindingId}`)).status).toBe(404);
    const [token] = await hub.sql('SELECT revoked_at FROM api_token WHERE id = $1', [b.tokenId]);
    expect(token.revoked_at).toBeNull();
    expect(await hub.sql('SELECT 1 FROM role_binding WHERE id = $1', [b.bindingId])).toHaveLength(1);
  });

  it("cannot bind team-b's token by name inside team-a", async () => {
    const answer = await asAlice('POST', '/api/v1/tenants/team-a/role-bindings', {
      subject: { kind: 'token', name: 'deploy' },
      role: 'tenant-viewer',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'subject.name', message: 'no token named "deploy"' }]);
  });

  it('lists only what belongs to team-a', async () => {
    const tenants = await asAlice('GET', '/api/v1/tenants');
    expect(tenants.body.items.map((t: { slug: string }) => t.slug)).toEqual(['team-a']);
    const tokens = await asAlice('GET', '/api/v1/tokens');
    expect(tokens.status).toBe(200);
    expect(tokens.body.items).toEqual([]);
    const roles = await asAlice('GET', '/api/v1/roles?limit=500');
    expect(roles.body.items.map((r: { name: string }) => r.name)).not.toContain('b-secret-role');
    const audit = await asAlice('GET', '/api/v1/audit?limit=500');
    expect(audit.body.items.length).toBeGreaterThan(0);
    expect(new Set(audit.body.items.map((e: { tenant: string }) => e.tenant))).toEqual(new Set(['team-a']));
    const permissions = await asAlice('GET', '/api/v1/me/permissions');
    expect(permissions.body.platform).toEqual([]);
    expect(permissions.body.tenants.map((t: { tenant: string }) => t.tenant)).toEqual(['team-a']);
  });

  it('records the probes against team-b in the audit trail, visible to platform admins only', async () => {
    const denied = await hub.call(
      'GET',
      '/api/v1/audit?tenant=team-b&outcome=denied&actor=user:alice&limit=100',
    );
    expect(denied.status).toBe(200);
    expect(denied.body.items.length).toBeGreaterThanOrEqual(8);
    expect(denied.body.items.every((e: { tenant: string }) => e.tenant === 'team-b')).toBe(true);
  });
});
