import { Injectable } from '@nestjs/common';
import { paginate, PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { chainHash, ChainedFields, GENESIS_HASH } from './chain.js';

// Serialises appends so each event sees the true predecessor; held until the surrounding commit.
const CHAIN_LOCK = 0x666c7461; // "flta"

export interface AuditFilter {
  tenants: 'all' | string[];
  tenantId?: string;
  actor?: string;
  action?: string;
  outcome?: string;
  since?: Date;
  until?: Date;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: Db) {}

  append(fields: Omit<ChainedFields, 'id'>): Promise<void> {
    return this.db.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const [head]: { last_id: string; last_hash: string }[] = await em.query(
        'SELECT last_id, last_hash FROM audit_head',
      );
      const prevHash = head?.last_hash ?? GENESIS_HASH;
      const id = String(BigInt(head?.last_id ?? '0') + 1n);
      const row = { ...fields, id, before: normalise(fields.before), after: normalise(fields.after) };
      const hash = chainHash(prevHash, row);
      await em.query(
        `INSERT INTO audit_event (id, at, request_id, actor_kind, actor_name, tenant_id, tenant_slug, action, target,
                                  outcome, before, after, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          ...[row.id, row.at, row.requestId, row.actorKind, row.actorName, row.tenantId, row.tenantSlug],
          ...[row.action, row.target, row.outcome, json(row.before), json(row.after), prevHash, hash],
        ],
      );
      await em.query(
        `INSERT INTO audit_head (last_id, last_hash) VALUES ($1, $2)
         ON CONFLICT (singleton) DO UPDATE SET last_id = EXCLUDED.last_id, last_hash = EXCLUDED.last_hash`,
        [id, hash],
      );
    });
  }

  page(filter: AuditFilter, page: PageQuery) {
    const query = this.db.repository(AuditEventEntity).createQueryBuilder('event');
    if (filter.tenants !== 'all')
      query.andWhere('event.tenant_id = ANY(:tenants)', { tenants: filter.tenants });
    if (filter.tenantId) query.andWhere('event.tenant_id = :tenantId', { tenantId: filter.tenantId });
    if (filter.actor) {
      const [kind, name] = filter.actor.includes(':')
        ? filter.actor.split(':', 2)
        : [undefined, filter.actor];
      query.andWhere('event.actor_name = :actorName', { actorName: name });
      if (kind) query.andWhere('event.actor_kind = :actorKind', { actorKind: kind });
    }
    if (filter.action) query.andWhere('event.action = :action', { action: filter.action });
    if (filter.outcome) query.andWhere('event.outcome = :outcome', { outcome: filter.outcome });
    if (filter.since) query.andWhere('event.at >= :since', { since: filter.since });
    if (filter.until) query.andWhere('event.at < :until', { until: filter.until });
    return paginate(query, 'event.id', page, (row) => row, 'DESC');
  }

  /** Walks the whole chain in id order, a batch at a time. */
  async *chain(batch = 1000): AsyncGenerator<AuditEventEntity> {
    let after = '0';
    for (;;) {
      const rows = await this.db
        .repository(AuditEventEntity)
        .createQueryBuilder('event')
        .where('event.id > :after', { after })
        .orderBy('event.id', 'ASC')
        .limit(batch)
        .getMany();
      yield* rows;
      if (rows.length < batch) return;
      after = rows.at(-1)!.id;
    }
  }

  async head(): Promise<{ lastId: string; lastHash: string } | null> {
    const [head]: { last_id: string; last_hash: string }[] = await this.db.manager.query(
      'SELECT last_id, last_hash FROM audit_head',
    );
    return head ? { lastId: head.last_id, lastHash: head.last_hash } : null;
  }
}

function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** jsonb cannot hold undefined or Dates faithfully; store exactly what hashing saw. */
function normalise(value: unknown): Record<string, unknown> | null {
  return value === undefined || value === null
    ? null
    : (JSON.parse(JSON.stringify(value)) as Record<string, unknown>);
}
