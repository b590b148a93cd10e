import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHub } from './harness.js';

describe('no privilege escalation through role bindings, custom roles or tokens', () => {
  let hub: TestHub;
  let alice: string; // tenant-admin of team-a
  let mia: string; // a custom "role-manager" in team-a: may manage roles and bindings, deploy nothing

  beforeAll(async () => {
    hub = await TestHub.start();
    await hub.tenant('team-a');
    alice = await hub.user('alice');
    mia = await hub.user('mia');
    await hub.user('carol');
    await hub.bind('team-a', 'user', 'alice', 'tenant-admin');
    const created = await hub.call('POST', '/api/v1/roles', {
      body: {
        name: 'role-manager',
        tenant: 'team-a',
        permissions: [
          'tenants:read',
          'roles:read',
          'roles:write',
          'rolebindings:read',
          'rolebindings:write',
          'bindings:read',
        ],
      },
    });
    expect(created.status).toBe(201);
    await hub.bind('team-a', 'user', 'mia', 'role-manager');
    // A platform custom role holding a platform-only permission.
    expect(
      (
        await hub.call('POST', '/api/v1/roles', {
          body: { name: 'auditor', permissions: ['tenants:read', 'audit:verify'] },
        })
      ).status,
    ).toBe(201);
  });
  afterAll(() => hub?.stop());

  const bindingCount = async () => Number((await hub.sql('SELECT count(*) AS n FROM role_binding'))[0].n);

  it('a tenant-admin cannot bind platform-admin, in the tenant or at platform scope', async () => {
    const before = await bindingCount();
    const inTenant = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
      token: alice,
      body: { subject: { kind: 'user', name: 'alice' }, role: 'platform-admin' },
    });
    expect(inTenant.status).toBe(403);
    expect(inTenant.body.missing).toContain('tenants:delete');
    const atPlatform = await hub.call('POST', '/api/v1/role-bindings', {
      token: alice,
      body: { subject: { kind: 'user', name: 'alice' }, role: 'platform-admin' },
    });
    expect(atPlatform.status).toBe(403);
    expect(await bindingCount()).toBe(before);
  });

  it('a tenant-admin cannot bind a role carrying permissions they lack', async () => {
    const answer = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
      token: alice,
      body: { subject: { kind: 'user', name: 'carol' }, role: 'auditor' },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.missing).toEqual(['audit:verify']);
  });

  it('a role manager cannot hand out a role stronger than their own', async () => {
    for (const role of ['tenant-admin', 'tenant-operator']) {
      const answer = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
        token: mia,
        body: { subject: { kind: 'user', name: 'mia' }, role },
      });
      expect(answer.status, role).toBe(403);
    }
    const weaker = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
      token: mia,
      body: { subject: { kind: 'user', name: 'carol' }, role: 'tenant-viewer' },
    });
    expect(weaker.status).toBe(403); // tenant-viewer reads clusters, which mia cannot
    expect(weaker.body.missing).toContain('clusters:read');
  });

  it('nobody can create a custom role exceeding their own permissions', async () => {
    const roles = async () => Number((await hub.sql('SELECT count(*) AS n FROM role'))[0].n);
    const before = await roles();
    const exceeding = await hub.call('POST', '/api/v1/roles', {
      token: mia,
      body: { name: 'deployer', tenant: 'team-a', permissions: ['bindings:read', 'bindings:sync'] },
    });
    expect(exceeding.status).toBe(403);
    expect(exceeding.body.missing).toEqual(['bindings:sync']);
    const platformRole = await hub.call('POST', '/api/v1/roles', {
      token: alice,
      body: { name: 'mine', permissions: ['tenants:read'] },
    });
    expect(platformRole.status).toBe(403);
    const platformOnly = await hub.call('POST', '/api/v1/roles', {
      token: alice,
      body: { name: 'sneaky', tenant: 'team-a', permissions: ['tenants:delete'] },
    });
    expect(platformOnly.status).toBe(400);
    expect(await roles()).toBe(before);

    const subset = await hub.call('POST', '/api/v1/roles', {
      token: mia,
      body: { name: 'reader', tenant: 'team-a', permissions: ['bindings:read'] },
    });
    expect(subset.status).toBe(201);
    const bound = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
      token: mia,
      body: { subject: { kind: 'user', name: 'carol' }, role: 'reader' },
    });
    expect(bound.status).toBe(201);
  });

  it('a token cannot be minted with more than its creator holds', async () => {
    const tokens = async () => Number((await hub.sql('SELECT count(*) AS n FROM api_token'))[0].n);
    const before = await tokens();
    const answer = await hub.call('POST', '/api/v1/tokens', {
      token: alice,
      body: { name: 'root', tenant: 'team-a', role: 'platform-admin' },
    });
    expect(answer.status).toBe(403);
    expect(await tokens()).toBe(before); // the token row rolled back with the refused binding
  });

  it('every refused escalation is in the audit trail', async () => {
    const audit = await hub.call('GET', '/api/v1/audit?outcome=denied&limit=100');
    const actions = audit.body.items.map(
      (e: { action: string; actor: { name: string } }) => `${e.actor.name} ${e.action}`,
    );
    expect(actions).toContain('alice rolebindings:create');
    expect(actions).toContain('alice rolebindings:write'); // platform scope, refused by the guard
    expect(actions).toContain('mia rolebindings:create');
    expect(actions).toContain('mia roles:create');
  });
});
