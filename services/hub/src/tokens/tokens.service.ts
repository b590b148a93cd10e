import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { Authorizer } from '../rbac/authorizer.js';
import { RoleBindingsRepository } from '../rbac/role-bindings.repository.js';
import { RoleBindingsService } from '../rbac/role-bindings.service.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { generateTokenSecret, hashTokenSecret } from './token-secret.js';
import { CreateTokenDto, ListTokensQuery, toTokenDto } from './token.dto.js';
import { TokensRepository } from './tokens.repository.js';

@Injectable()
export class TokensService {
  constructor(
    private readonly db: Db,
    private readonly tokens: TokensRepository,
    private readonly tenants: TenantsRepository,
    private readonly bindings: RoleBindingsRepository,
    private readonly roleBindings: RoleBindingsService,
    private readonly authorizer: Authorizer,
    private readonly audit: AuditService,
  ) {}

  /** The secret is in this answer and nowhere else, ever. */
  create(auth: AuthContext, tenant: TenantEntity | undefined, dto: CreateTokenDto) {
    const secret = generateTokenSecret();
    return this.db.transaction(async () => {
      if (await this.tokens.findActiveByName(tenant?.id ?? null, dto.name)) {
        throw Problem.conflict(
          `token "${dto.name}" already exists${tenant ? ` in tenant ${tenant.slug}` : ''}`,
        );
      }
      const token = await this.tokens.create({
        name: dto.name,
        tenantId: tenant?.id ?? null,
        tokenHash: hashTokenSecret(secret),
        createdBy: `${auth.principal.kind}:${auth.principal.name}`,
        expiresAt: dto.expiresIn ? new Date(Date.now() + dto.expiresIn * 1000) : null,
      });
      if (dto.role) {
        await this.roleBindings.bind(
          auth,
          tenant,
          { kind: 'token', id: token.id, name: token.name },
          dto.role,
          'role',
        );
      }
      const after = { ...toTokenDto(token, tenant?.slug ?? null), role: dto.role ?? null };
      await this.audit.record(auth, { action: 'tokens:create', tenant, target: `token/${token.id}`, after });
      return { ...after, secret };
    });
  }

  async list(auth: AuthContext, tenant: TenantEntity | undefined, query: ListTokensQuery) {
    const scope = tenant
      ? { platform: false, tenants: [tenant.id] }
      : { platform: auth.access.can('tokens:read', null), tenants: auth.access.tenantsWith('tokens:read') };
    const result = await this.tokens.page(scope, query);
    const slugs = await this.tenants.slugsById(result.items.flatMap((token) => token.tenantId ?? []));
    return {
      ...result,
      items: result.items.map((token) =>
        toTokenDto(token, token.tenantId ? (slugs.get(token.tenantId) ?? null) : null),
      ),
    };
  }

  /** Revoked tokens stay listed (for the record) but lose their role bindings at once. */
  revoke(auth: AuthContext, id: string) {
    return this.db.transaction(async () => {
      const token = await this.tokens.findById(id);
      if (!token) throw Problem.notFound(`token ${id}`);
      await this.authorizer.require(auth, 'tokens:write', token.tenantId, `token ${id}`);
      if (token.revokedAt) return;
      await this.tokens.revoke(token.id, new Date());
      await this.bindings.deleteForSubject('token', token.id);
      const slug = token.tenantId
        ? ((await this.tenants.slugsById([token.tenantId])).get(token.tenantId) ?? '')
        : '';
      await this.audit.record(auth, {
        action: 'tokens:revoke',
        tenant: token.tenantId ? { id: token.tenantId, slug } : null,
        target: `token/${token.id}`,
        before: toTokenDto(token, slug || null),
      });
    });
  }
}
