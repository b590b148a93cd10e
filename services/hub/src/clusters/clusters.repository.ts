import type { StatusMessage } from '@flotilla/contracts';
import { Injectable } from '@nestjs/common';
import type { LabelSelector } from '@flotilla/policy';
import { Brackets, In, IsNull, Not, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { paginate, type PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { ClusterEntity } from './cluster.entity.js';
import { RegistrationTokenEntity } from './registration-token.entity.js';

/** Which clusters a caller may list: all, or those owned by the given tenants. */
export type ClusterScope = 'all' | { tenantIds: string[] };

/** Narrows a query that joins the cluster table as `cluster` (the fleet view reuses it). */
export function whereSelector(query: SelectQueryBuilder<ObjectLiteral>, selector: LabelSelector): void {
  const labels = selector.matchLabels ?? {};
  if (Object.keys(labels).length) query.andWhere('cluster.labels @> :matchLabels', { matchLabels: labels });
  (selector.matchExpressions ?? []).forEach(({ key, operator, values }, index) => {
    const k = `selKey${index}`;
    const v = `selValues${index}`;
    const params = { [k]: key, [v]: values ?? [] };
    const has = `jsonb_exists(cluster.labels, :${k})`;
    const within = `(cluster.labels ->> :${k}) = ANY(:${v})`;
    const condition = {
      In: `${has} AND ${within}`,
      NotIn: `NOT (${has} AND ${within})`,
      Exists: has,
      DoesNotExist: `NOT ${has}`,
    }[operator];
    query.andWhere(new Brackets((qb) => qb.where(condition, params)));
  });
}

/** See `advanceStatus`; a heartbeat carries the agent version ($4), a report itself ($5, $6). */
const ADVANCE_STATUS = `
  WITH advanced AS (
    UPDATE cluster
    SET last_seq = $2::bigint, last_seen_at = $3::timestamptz, updated_at = now(),
        agent_version = coalesce($4::text, agent_version)
    WHERE id = $1::uuid AND last_seq < $2::bigint
    RETURNING id
  ),
  stored AS (
    INSERT INTO cluster_report (cluster_id, seq, received_at, assignment_revision, report)
    SELECT id, $2::bigint, $3::timestamptz, $5::bigint, $6::jsonb FROM advanced WHERE $6::jsonb IS NOT NULL
    ON CONFLICT (cluster_id, seq) DO NOTHING
  )
  SELECT id FROM advanced`;

const PRUNE_BATCH = 10_000;

@Injectable()
export class ClustersRepository {
  constructor(private readonly db: Db) {}

  private get clusters() {
    return this.db.repository(ClusterEntity);
  }

  private get tokens() {
    return this.db.repository(RegistrationTokenEntity);
  }

  findByName(name: string): Promise<ClusterEntity | null> {
    return this.clusters.findOneBy({ name });
  }

  findById(id: string): Promise<ClusterEntity | null> {
    return this.clusters.findOneBy({ id });
  }

  /** Locks the row until the surrounding transaction ends (ingest and registration serialise on it). */
  lockById(id: string): Promise<ClusterEntity | null> {
    return this.clusters
      .createQueryBuilder('cluster')
      .setLock('pessimistic_write')
      .where('cluster.id = :id', { id })
      .getOne();
  }

  create(values: Pick<ClusterEntity, 'name' | 'tenantId' | 'labels' | 'createdBy'>): Promise<ClusterEntity> {
    return this.clusters.save(this.clusters.create({ ...values, lastSeq: 0 }));
  }

  save(cluster: ClusterEntity): Promise<ClusterEntity> {
    return this.clusters.save(cluster);
  }

  async delete(id: string): Promise<void> {
    await this.clusters.delete({ id });
  }

  page(scope: ClusterScope, selector: LabelSelector | null, page: PageQuery) {
    const query = this.clusters.createQueryBuilder('cluster');
    if (scope !== 'all') query.where('cluster.tenant_id = ANY(:tenantIds)', { tenantIds: scope.tenantIds });
    if (selector) whereSelector(query, selector);
    return paginate(query, 'cluster.name', page, (row) => row);
  }

  countInTenant(tenantId: string): Promise<number> {
    return this.clusters.countBy({ tenantId });
  }

  listInTenant(tenantId: string): Promise<ClusterEntity[]> {
    return this.clusters.findBy({ tenantId });
  }

  createToken(
    values: Pick<
      RegistrationTokenEntity,
      'clusterId' | 'secretHash' | 'bootstrapPublicKey' | 'expiresAt' | 'createdBy'
    >,
  ): Promise<RegistrationTokenEntity> {
    return this.tokens.save(this.tokens.create(values));
  }

  /** The token with this secret hash for this cluster, locked: two agents cannot both use it. */
  lockToken(clusterId: string, secretHash: string): Promise<RegistrationTokenEntity | null> {
    return this.tokens
      .createQueryBuilder('token')
      .setLock('pessimistic_write')
      .where('token.cluster_id = :clusterId AND token.secret_hash = :secretHash', { clusterId, secretHash })
      .getOne();
  }

  async markTokenUsed(id: string, at: Date): Promise<void> {
    await this.tokens.update({ id }, { usedAt: at });
  }

  /** Bootstrap users not yet revoked and not expired: revoked when the cluster goes. */
  async liveBootstrapKeys(clusterId: string): Promise<string[]> {
    const rows = await this.tokens.findBy({ clusterId, bootstrapRevokedAt: IsNull() });
    const now = Date.now();
    return rows.filter((row) => row.expiresAt.getTime() > now).map((row) => row.bootstrapPublicKey);
  }

  /** Used tokens whose bootstrap user still exists, marked revoked (the caller revokes them). */
  async retireUsedBootstrapKeys(clusterId: string, at: Date): Promise<string[]> {
    const rows = await this.tokens.findBy({ clusterId, usedAt: Not(IsNull()), bootstrapRevokedAt: IsNull() });
    if (rows.length)
      await this.tokens.update({ id: In(rows.map((row) => row.id)) }, { bootstrapRevokedAt: at });
    return rows.map((row) => row.bootstrapPublicKey);
  }

  /**
   * Ingests one status message in one statement: moves the cluster's `last_seq` forward and,
   * for a report, stores it. Returns false, changing nothing, when the cluster is gone or
   * already has this `seq` or a later one (a redelivery). The UPDATE holds the cluster's row
   * lock until the transaction ends, so one cluster's messages are stored one at a time.
   */
  async advanceStatus(clusterId: string, message: StatusMessage, receivedAt: Date): Promise<boolean> {
    const heartbeat = message.kind === 'heartbeat';
    const rows = await this.db.manager.query<unknown[]>(ADVANCE_STATUS, [
      clusterId,
      message.seq,
      receivedAt,
      heartbeat ? message.agentVersion : null,
      heartbeat ? null : message.assignmentRevision,
      heartbeat ? null : JSON.stringify(message),
    ]);
    return rows.length > 0;
  }

  /** Deletes reports received before `before`, in bounded batches so no delete holds locks for long. */
  async pruneReports(before: Date): Promise<number> {
    let pruned = 0;
    for (;;) {
      const [, deleted] = (await this.db.manager.query(
        `DELETE FROM cluster_report WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM cluster_report WHERE received_at < $1 LIMIT ${PRUNE_BATCH}))`,
        [before],
      )) as [unknown, number];
      pruned += deleted;
      if (deleted < PRUNE_BATCH) return pruned;
    }
  }
}
