import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import type { AuditQuery } from './audit.controller.js';
import type { AuditEventEntity } from './audit-event.entity.js';
import { AuditRepository } from './audit.repository.js';
import { ChainBreak, checkLink } from './chain.js';

function toAuditDto(event: AuditEventEntity) {
  return {
    id: event.id,
    at: event.at.toISOString(),
    action: event.action,
    actor: { kind: event.actorKind, name: event.actorName },
    tenant: event.tenantSlug,
    target: event.target,
    outcome: event.outcome,
    requestId: event.requestId,
    before: event.before,
    after: event.after,
  };
}

@Injectable()
export class AuditQueryService {
  constructor(private readonly repository: AuditRepository) {}

  async list(auth: AuthContext, tenant: TenantEntity | undefined, query: AuditQuery) {
    const result = await this.repository.page(
      {
        tenants: auth.access.tenantsWith('audit:read'),
        tenantId: tenant?.id,
        actor: query.actor,
        action: query.action,
        outcome: query.outcome,
        since: query.since ? new Date(query.since) : undefined,
        until: query.until ? new Date(query.until) : undefined,
      },
      query,
    );
    return { ...result, items: result.items.map(toAuditDto) };
  }

  async verify(): Promise<{ ok: boolean; checked: number; broken: ChainBreak | null }> {
    let previous: AuditEventEntity | null = null;
    let checked = 0;
    for await (const event of this.repository.chain()) {
      const broken = checkLink(previous, event);
      if (broken) return { ok: false, checked, broken };
      previous = event;
      checked++;
    }
    const head = await this.repository.head();
    if (head && (head.lastId !== (previous?.id ?? '0') || head.lastHash !== previous?.hash)) {
      return {
        ok: false,
        checked,
        broken: { id: head.lastId, reason: 'events after the last one present were deleted' },
      };
    }
    return { ok: true, checked, broken: null };
  }
}
