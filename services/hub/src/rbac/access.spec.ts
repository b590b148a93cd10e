import { describe, expect, it } from 'vitest';
import { Access } from './access.js';
import { builtinRoles } from './permissions.js';

describe('Access', () => {
  const admin = builtinRoles['platform-admin']!.permissions;
  const tenantAdmin = builtinRoles['tenant-admin']!.permissions;

  it('applies platform permissions in every tenant', () => {
    const access = new Access([{ tenantId: null, permissions: admin }]);
    expect(access.can('tenants:delete', null)).toBe(true);
    expect(access.can('bindings:sync', 'any-tenant')).toBe(true);
    expect(access.tenantsWith('tenants:read')).toBe('all');
  });

  it('confines tenant bindings to their tenant', () => {
    const access = new Access([{ tenantId: 'a', permissions: tenantAdmin }]);
    expect(access.can('tokens:write', 'a')).toBe(true);
    expect(access.can('tokens:write', 'b')).toBe(false);
    expect(access.can('tokens:write', null)).toBe(false);
    expect(access.tenantsWith('tokens:read')).toEqual(['a']);
  });

  it('ignores platform-only and unknown permissions granted inside a tenant', () => {
    const access = new Access([{ tenantId: 'a', permissions: ['tenants:delete', 'users:write', 'made:up'] }]);
    expect(access.can('tenants:delete', 'a')).toBe(false);
    expect(access.canAnywhere('users:write')).toBe(false);
  });

  it('reports what an escalation would add', () => {
    const access = new Access([{ tenantId: 'a', permissions: builtinRoles['tenant-operator']!.permissions }]);
    expect(access.missing(tenantAdmin, 'a')).toContain('tokens:write');
    expect(access.missing(builtinRoles['tenant-viewer']!.permissions, 'a')).toEqual([]);
  });
});
