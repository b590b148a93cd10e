import { Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import { Problem } from '../common/problem.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import type { Permission } from './permissions.js';

/**
 * Checks made by services on resources found by id (a token, a role binding): the same
 * answers as the AccessGuard — 404 when the caller cannot even see the owning tenant,
 * 403 when they can — and the same audit trail.
 */
@Injectable()
export class Authorizer {
  constructor(private readonly tenants: TenantsRepository) {}

  async require(
    auth: AuthContext,
    permission: Permission,
    tenantId: string | null,
    what: string,
  ): Promise<void> {
    if (auth.access.can(permission, tenantId)) return;
    const slug = tenantId ? (await this.tenants.slugsById([tenantId])).get(tenantId) : undefined;
    const denial = {
      actor: actorOf(auth),
      requestId: auth.requestId,
      action: permission,
      target: what,
      tenant: tenantId && slug ? { id: tenantId, slug } : null,
    };
    const visible = tenantId
      ? auth.access.can('tenants:read', tenantId)
      : auth.access.canAnywhere(permission);
    if (visible) throw new Problem('forbidden', `requires permission ${permission}`).deny(denial);
    throw Problem.notFound(what).deny(denial);
  }

  /** Refuses (403, audited) handing out permissions the caller does not hold at that scope. */
  forbidEscalation(
    auth: AuthContext,
    action: string,
    wanted: readonly Permission[],
    tenant: { id: string; slug: string } | null,
    what: string,
  ): void {
    const missing = auth.access.missing(wanted, tenant?.id ?? null);
    if (!missing.length) return;
    throw new Problem('forbidden', `cannot grant permissions you do not hold: ${missing.join(', ')}`, {
      missing,
    }).deny({
      actor: actorOf(auth),
      requestId: auth.requestId,
      action,
      target: what,
      tenant,
      after: { missing },
    });
  }
}
