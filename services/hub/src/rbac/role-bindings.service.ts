import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import { PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { GroupsRepository } from '../groups/groups.repository.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { TokensRepository } from '../tokens/tokens.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { Authorizer } from './authorizer.js';
import { isPermission, platformOnlyRoles } from './permissions.js';
import { CreateRoleBindingDto, SubjectDto, toRoleBindingDto } from './rbac.dto.js';
import type { SubjectKind } from './role-binding.entity.js';
import { RoleBindingsRepository } from './role-bindings.repository.js';
import { RolesRepository } from './roles.repository.js';

export interface ResolvedSubject {
  kind: SubjectKind;
  id: string;
  name: string;
}

/** Role bindings at platform scope (tenant undefined) or inside one tenant. */
@Injectable()
export class RoleBindingsService {
  constructor(
    private readonly db: Db,
    private readonly bindings: RoleBindingsRepository,
    private readonly roles: RolesRepository,
    private readonly users: UsersRepository,
    private readonly groups: GroupsRepository,
    private readonly tokens: TokensRepository,
    private readonly authorizer: Authorizer,
    private readonly audit: AuditService,
  ) {}

  async list(_auth: AuthContext, tenant: TenantEntity | undefined, page: PageQuery) {
    const result = await this.bindings.page(tenant?.id ?? null, page);
    return {
      ...result,
      items: result.items.map((binding) => toRoleBindingDto(binding, tenant?.slug ?? null)),
    };
  }

  create(auth: AuthContext, tenant: TenantEntity | undefined, dto: CreateRoleBindingDto) {
    return this.db.transaction(async () => {
      const subject = await this.resolveSubject(dto.subject, tenant);
      return this.bind(auth, tenant, subject, dto.role, 'role');
    });
  }

  /**
   * Binds `roleName` to an already-resolved subject after the escalation check. Also used by
   * token creation; `roleField` names the request field a bad role is reported against.
   */
  async bind(
    auth: AuthContext,
    tenant: TenantEntity | undefined,
    subject: ResolvedSubject,
    roleName: string,
    roleField: string,
  ) {
    const scope = tenant ? `tenant/${tenant.slug}` : 'platform';
    const role = await this.roles.findUsable(roleName, tenant?.id ?? null);
    if (!role) throw Problem.validation([{ field: roleField, message: `no role named "${roleName}"` }]);
    const target = `role-binding/${scope}/${subject.kind}:${subject.name}/${role.name}`;
    this.authorizer.forbidEscalation(
      auth,
      'rolebindings:create',
      role.permissions.filter(isPermission),
      tenant ?? null,
      target,
    );
    if (tenant && platformOnlyRoles.has(role.name)) {
      throw Problem.validation([
        { field: roleField, message: `${role.name} can only be bound at platform scope` },
      ]);
    }
    const key = {
      tenantId: tenant?.id ?? null,
      roleId: role.id,
      subjectKind: subject.kind,
      subjectId: subject.id,
    };
    if (await this.bindings.exists(key)) throw Problem.conflict(`${target} already exists`);
    const binding = await this.bindings.create({
      ...key,
      subjectName: subject.name,
      createdBy: `${auth.principal.kind}:${auth.principal.name}`,
    });
    const after = toRoleBindingDto({ ...binding, role }, tenant?.slug ?? null);
    await this.audit.record(auth, { action: 'rolebindings:create', tenant, target, after });
    return after;
  }

  delete(auth: AuthContext, tenant: TenantEntity | undefined, id: string) {
    return this.db.transaction(async () => {
      const binding = await this.bindings.findInScope(id, tenant?.id ?? null);
      if (!binding) throw Problem.notFound(`role binding ${id}`);
      await this.bindings.delete(binding.id);
      await this.audit.record(auth, {
        action: 'rolebindings:delete',
        tenant,
        target: `role-binding/${binding.id}`,
        before: toRoleBindingDto(binding, tenant?.slug ?? null),
      });
    });
  }

  /**
   * Users must exist. Groups are names the identity provider asserts, so binding one before any
   * member has signed in records it. Tokens are looked up in the binding's own scope: a
   * tenant's tokens, or platform tokens.
   */
  private async resolveSubject(
    subject: SubjectDto,
    tenant: TenantEntity | undefined,
  ): Promise<ResolvedSubject> {
    const found =
      subject.kind === 'user'
        ? await this.users.findByUsername(subject.name)
        : subject.kind === 'group'
          ? await this.groups.upsert(subject.name, 'oidc')
          : await this.tokens.findActiveByName(tenant?.id ?? null, subject.name);
    if (!found) {
      throw Problem.validation([
        { field: 'subject.name', message: `no ${subject.kind} named "${subject.name}"` },
      ]);
    }
    return { kind: subject.kind, id: found.id, name: subject.name };
  }
}
