/**
 * The permission catalogue. `tenant` permissions can be granted inside one tenant;
 * `platform` ones only take effect through a platform-scope binding. A module that adds
 * endpoints adds its permissions here and, where it fits, to the built-in roles.
 */
export const permissionCatalogue = {
  'tenants:read': 'tenant',
  'tenants:create': 'platform',
  'tenants:update': 'platform',
  'tenants:delete': 'platform',
  'users:read': 'platform',
  'users:write': 'platform',
  'groups:read': 'platform',
  'tokens:read': 'tenant',
  'tokens:write': 'tenant',
  'roles:read': 'tenant',
  'roles:write': 'tenant',
  'rolebindings:read': 'tenant',
  'rolebindings:write': 'tenant',
  'audit:read': 'tenant',
  'audit:verify': 'platform',
  'clusters:read': 'tenant',
  'clusters:write': 'tenant',
  'grants:read': 'tenant',
  'grants:write': 'platform',
  'repositories:read': 'tenant',
  'repositories:write': 'tenant',
  'bindings:read': 'tenant',
  'bindings:write': 'tenant',
  'bindings:sync': 'tenant',
  'bindings:rollback': 'tenant',
  'bindings:suspend': 'tenant',
} as const satisfies Record<string, 'tenant' | 'platform'>;

export type Permission = keyof typeof permissionCatalogue;

export const allPermissions = Object.keys(permissionCatalogue) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(permissionCatalogue, value);
}

export function isTenantPermission(permission: Permission): boolean {
  return permissionCatalogue[permission] === 'tenant';
}

const viewer: Permission[] = [
  'tenants:read',
  'roles:read',
  'rolebindings:read',
  'clusters:read',
  'grants:read',
  'repositories:read',
  'bindings:read',
];

export const builtinRoles: Record<string, { description: string; permissions: Permission[] }> = {
  'platform-admin': { description: 'Everything, on every tenant', permissions: allPermissions },
  'tenant-admin': {
    description:
      'Administers one tenant: its tokens, roles, role bindings, clusters, repositories and bindings',
    permissions: allPermissions.filter(isTenantPermission),
  },
  'tenant-operator': {
    description: 'Reads a tenant and syncs, rolls back and suspends its bindings',
    permissions: [...viewer, 'bindings:sync', 'bindings:rollback', 'bindings:suspend'],
  },
  'tenant-viewer': { description: 'Reads a tenant', permissions: viewer },
};

export const platformOnlyRoles = new Set(['platform-admin']);
