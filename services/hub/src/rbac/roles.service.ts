import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { Authorizer } from './authorizer.js';
import { builtinRoles, isTenantPermission } from './permissions.js';
import { CreateRoleDto, TenantFilter, toRoleDto } from './rbac.dto.js';
import { RoleBindingsRepository } from './role-bindings.repository.js';
import { RolesRepository } from './roles.repository.js';

@Injectable()
export class RolesService {
  constructor(
    private readonly db: Db,
    private readonly roles: RolesRepository,
    private readonly bindings: RoleBindingsRepository,
    private readonly tenants: TenantsRepository,
    private readonly authorizer: Authorizer,
    private readonly audit: AuditService,
  ) {}

  /** Keeps the built-in roles in the database equal to the catalogue in code. */
  async syncBuiltins(): Promise<void> {
    for (const [name, role] of Object.entries(builtinRoles)) {
      await this.roles.upsertBuiltin(name, role.description, role.permissions);
    }
  }

  async list(auth: AuthContext, tenant: TenantEntity | undefined, filter: TenantFilter) {
    const visible = tenant ? [tenant.id] : auth.access.tenantsWith('roles:read');
    const result = await this.roles.page(visible, filter);
    const slugs = await this.tenants.slugsById(result.items.flatMap((role) => role.tenantId ?? []));
    return {
      ...result,
      items: result.items.map((role) =>
        toRoleDto(role, role.tenantId ? (slugs.get(role.tenantId) ?? null) : null),
      ),
    };
  }

  create(auth: AuthContext, tenant: TenantEntity | undefined, dto: CreateRoleDto) {
    const where = tenant ? `role/${tenant.slug}/${dto.name}` : `role/${dto.name}`;
    return this.db.transaction(async () => {
      if (tenant) {
        const platformOnly = dto.permissions.filter((permission) => !isTenantPermission(permission));
        if (platformOnly.length) {
          throw Problem.validation([
            { field: 'permissions', message: `platform-only in a tenant role: ${platformOnly.join(', ')}` },
          ]);
        }
      }
      this.authorizer.forbidEscalation(auth, 'roles:create', dto.permissions, tenant ?? null, where);
      if (
        Object.hasOwn(builtinRoles, dto.name) ||
        (await this.roles.findOwned(dto.name, tenant?.id ?? null))
      ) {
        throw Problem.conflict(`role "${dto.name}" already exists`);
      }
      const role = await this.roles.create({
        name: dto.name,
        description: dto.description ?? '',
        permissions: [...new Set(dto.permissions)].sort(),
        tenantId: tenant?.id ?? null,
      });
      const after = toRoleDto(role, tenant?.slug ?? null);
      await this.audit.record(auth, { action: 'roles:create', tenant, target: where, after });
      return after;
    });
  }

  delete(auth: AuthContext, tenant: TenantEntity | undefined, name: string) {
    const where = tenant ? `role/${tenant.slug}/${name}` : `role/${name}`;
    return this.db.transaction(async () => {
      const role = await this.roles.findOwned(name, tenant?.id ?? null);
      if (!role) throw Problem.notFound(where);
      if (role.builtin) throw Problem.conflict(`role "${name}" is built in`);
      const uses = await this.bindings.countUsingRole(role.id);
      if (uses)
        throw Problem.conflict(`role "${name}" is used by ${uses} role binding(s)`, { roleBindings: uses });
      await this.roles.delete(role.id);
      await this.audit.record(auth, {
        action: 'roles:delete',
        tenant,
        target: where,
        before: toRoleDto(role, tenant?.slug ?? null),
      });
    });
  }
}
