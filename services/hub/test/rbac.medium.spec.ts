import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupsService } from '../src/groups/groups.service.js';
import { TestHub } from './harness.js';

describe('roles, role bindings and groups', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await TestHub.start();
    await hub.tenant('team-a');
  });
  afterAll(() => hub?.stop());

  it('lists the built-in roles with their permissions', async () => {
    const roles = await hub.call('GET', '/api/v1/roles?limit=500');
    const byName = Object.fromEntries(roles.body.items.map((r: { name: string }) => [r.name, r]));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining(['platform-admin', 'tenant-admin', 'tenant-operator', 'tenant-viewer']),
    );
    expect(byName['tenant-operator'].permissions).toEqual(
      expect.arrayContaining(['bindings:sync', 'bindings:rollback', 'bindings:suspend']),
    );
    expect(byName['tenant-viewer'].permissions).not.toContain('bindings:sync');
    expect(byName['tenant-admin'].permissions).not.toContain('tenants:delete');
  });

  it('refuses deleting a built-in role or one still bound, and duplicate bindings', async () => {
    expect((await hub.call('DELETE', '/api/v1/roles/tenant-viewer')).status).toBe(409);
    await hub.call('POST', '/api/v1/roles', {
      body: { name: 'reader', tenant: 'team-a', permissions: ['bindings:read'] },
    });
    await hub.user('rita');
    const id = await hub.bind('team-a', 'user', 'rita', 'reader');
    const again = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
      body: { subject: { kind: 'user', name: 'rita' }, role: 'reader' },
    });
    expect(again.status).toBe(409);
    const inUse = await hub.call('DELETE', '/api/v1/roles/reader?tenant=team-a');
    expect(inUse.status).toBe(409);
    expect(inUse.body.roleBindings).toBe(1);
    expect((await hub.call('DELETE', `/api/v1/tenants/team-a/role-bindings/${id}`)).status).toBe(204);
    expect((await hub.call('DELETE', '/api/v1/roles/reader?tenant=team-a')).status).toBe(204);
  });

  it('binds platform-admin only at platform scope', async () => {
    await hub.user('paul');
    const answer = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
      body: { subject: { kind: 'user', name: 'paul' }, role: 'platform-admin' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].field).toBe('role');
  });

  it('refuses an admin disabling themselves', async () => {
    expect((await hub.call('POST', '/api/v1/users/admin/disable')).status).toBe(409);
  });

  it('grants a group’s roles to its members (groups as SSO will fill them)', async () => {
    const gina = await hub.user('gina');
    const [{ id }] = await hub.sql(`SELECT id FROM hub_user WHERE username = 'gina'`);
    await hub.app.get(GroupsService).syncMemberships(id, ['team-a-devs']);
    const groups = await hub.call('GET', '/api/v1/groups');
    expect(groups.body.items).toEqual([expect.objectContaining({ name: 'team-a-devs', source: 'oidc' })]);
    expect((await hub.call('GET', '/api/v1/tenants/team-a', { token: gina })).status).toBe(404);
    await hub.bind('team-a', 'group', 'team-a-devs', 'tenant-operator');
    const permissions = await hub.call('GET', '/api/v1/me/permissions', { token: gina });
    expect(permissions.body.tenants).toEqual([
      { tenant: 'team-a', permissions: expect.arrayContaining(['bindings:sync']) },
    ]);
    await hub.app.get(GroupsService).syncMemberships(id, []);
    expect((await hub.call('GET', '/api/v1/tenants/team-a', { token: gina })).status).toBe(404);
  });

  it('binds a group before any member has signed in; a refused binding leaves no group behind', async () => {
    await hub.bind('team-a', 'group', 'future-sre', 'tenant-viewer');
    const alice = await hub.user('alice');
    // alice may bind, but not hand out tenant-viewer: the group is created, then rolled back.
    await hub.call('POST', '/api/v1/roles', {
      body: { name: 'binder', tenant: 'team-a', permissions: ['tenants:read', 'rolebindings:write'] },
    });
    await hub.bind('team-a', 'user', 'alice', 'binder');
    const refused = await hub.call('POST', '/api/v1/tenants/team-a/role-bindings', {
      token: alice,
      body: { subject: { kind: 'group', name: 'never-created' }, role: 'tenant-viewer' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.missing).toContain('clusters:read');
    const names = (await hub.sql('SELECT name FROM hub_group ORDER BY name')).map((row) => row.name);
    expect(names).toEqual(['future-sre', 'team-a-devs']);
  });
});
