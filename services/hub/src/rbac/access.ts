import { isPermission, isTenantPermission, Permission } from './permissions.js';

export interface Grant {
  /** Null = platform scope. */
  tenantId: string | null;
  permissions: readonly string[];
}

/**
 * What one caller may do, computed once per request from their role bindings.
 * Platform-scope permissions hold in every tenant; a tenant-scope binding only ever
 * yields tenant permissions, whatever its role lists.
 */
export class Access {
  private readonly platform = new Set<Permission>();
  private readonly tenants = new Map<string, Set<Permission>>();

  constructor(grants: readonly Grant[]) {
    for (const grant of grants) {
      for (const permission of grant.permissions) {
        if (!isPermission(permission)) continue;
        if (grant.tenantId === null) {
          this.platform.add(permission);
        } else if (isTenantPermission(permission)) {
          const set = this.tenants.get(grant.tenantId) ?? new Set<Permission>();
          set.add(permission);
          this.tenants.set(grant.tenantId, set);
        }
      }
    }
  }

  /** Does the caller hold `permission` at platform scope (tenantId null) or in that tenant? */
  can(permission: Permission, tenantId: string | null): boolean {
    if (this.platform.has(permission)) return true;
    return tenantId !== null && (this.tenants.get(tenantId)?.has(permission) ?? false);
  }

  canAnywhere(permission: Permission): boolean {
    return this.platform.has(permission) || [...this.tenants.values()].some((set) => set.has(permission));
  }

  /** 'all' when the permission is held platform-wide, otherwise the tenants where it is held. */
  tenantsWith(permission: Permission): 'all' | string[] {
    if (this.platform.has(permission)) return 'all';
    return [...this.tenants].filter(([, set]) => set.has(permission)).map(([id]) => id);
  }

  /** Permissions in `wanted` the caller does not hold at that scope: the escalation check. */
  missing(wanted: readonly Permission[], tenantId: string | null): Permission[] {
    return wanted.filter((permission) => !this.can(permission, tenantId));
  }

  platformPermissions(): Permission[] {
    return [...this.platform].sort();
  }

  tenantPermissions(): Map<string, Permission[]> {
    return new Map([...this.tenants].map(([id, set]) => [id, [...set].sort()]));
  }
}
