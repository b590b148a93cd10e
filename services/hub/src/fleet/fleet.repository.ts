import { Injectable } from '@nestjs/common';
import type { LabelSelector } from '@flotilla/policy';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BindingEntity } from '../bindings/binding.entity.js';
import { ClusterEntity } from '../clusters/cluster.entity.js';
import { whereSelector } from '../clusters/clusters.repository.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { DeploymentStatusEntity } from '../deployments/deployment-status.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { syncStates, type FleetState } from './fleet.dto.js';

export interface FleetFilter {
  tenantIds: 'all' | string[];
  /** The bindings of the asked name in those tenants (`bindingsNamed`); absent: every binding. */
  bindingIds?: string[];
  selector: LabelSelector | null;
  state?: FleetState;
}

export interface FleetRow {
  tenantId: string;
  bindingId: string;
  clusterId: string;
  tenant: string;
  binding: string;
  cluster: string;
  revision: number | null;
  commit: string | null;
  syncState: string;
  health: string;
  errorReason: string | null;
  errorMessage: string | null;
  updatedAt: Date;
}

export interface Rollup {
  tenant: string;
  binding: string;
  commit: string | null;
  clusters: number;
  synced: number;
  outOfSync: number;
  failed: number;
  healthy: number;
  progressing: number;
  degraded: number;
  missing: number;
  unknown: number;
}

/** Keyset position: the (tenant, binding, cluster) ids of the last row of a page. */
type Key = [string, string, string];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeKey(cursor: string): Key {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === 3 && key.every((id) => typeof id === 'string' && UUID.test(id)))
      return key as Key;
  } catch {
    // fall through to the 400 below
  }
  throw Problem.validation([{ field: 'cursor', message: 'is not a cursor returned by this API' }]);
}

const encodeKey = (row: FleetRow) =>
  Buffer.from(JSON.stringify([row.tenantId, row.bindingId, row.clusterId])).toString('base64url');

/**
 * Rollup counts per state, as `sum(clusters) FILTER (...)` columns named like the rollup fields,
 * over rows `r` shaped like `fleet_rollup` (a number of clusters per tenant, binding, commit,
 * shown sync state and health).
 */
const COUNTS = {
  synced: `r.shown_sync_state = 'Synced'`,
  outOfSync: `r.shown_sync_state = 'OutOfSync'`,
  failed: `r.shown_sync_state = 'Failed'`,
  healthy: `r.health = 'Healthy'`,
  progressing: `r.health = 'Progressing'`,
  degraded: `r.health = 'Degraded'`,
  missing: `r.health = 'Missing'`,
  unknown: `r.health = 'Unknown'`,
} as const;

/**
 * The filters both the matrix rows (`ds`) and the rollup rows (`r`) carry as columns.
 * `shown_sync_state` is the sync state the API shows (see the FleetRollup migration), kept on
 * the row by triggers. A single binding is an equality, not `= ANY`: with the binding fixed, the
 * (binding, tenant, cluster) index then yields the page in keyset order, where an array would
 * need all its rows sorted (or a walk of the whole matrix).
 */
function whereFilter(query: SelectQueryBuilder<ObjectLiteral>, alias: string, filter: FleetFilter) {
  if (filter.tenantIds !== 'all')
    query.andWhere(`${alias}.tenant_id = ANY(:tenantIds)`, { tenantIds: filter.tenantIds });
  const { bindingIds } = filter;
  if (bindingIds?.length === 1)
    query.andWhere(`${alias}.binding_id = :bindingId`, { bindingId: bindingIds[0] });
  else if (bindingIds) query.andWhere(`${alias}.binding_id = ANY(:bindingIds)`, { bindingIds });
  if (filter.state !== undefined) {
    const column = (syncStates as readonly string[]).includes(filter.state) ? 'shown_sync_state' : 'health';
    query.andWhere(`${alias}.${column} = :state`, { state: filter.state });
  }
}

/** The binding × cluster matrix: reported deployment status joined with its names. */
@Injectable()
export class FleetRepository {
  constructor(private readonly db: Db) {}

  private joined(): SelectQueryBuilder<DeploymentStatusEntity> {
    return this.db
      .repository(DeploymentStatusEntity)
      .createQueryBuilder('ds')
      .innerJoin(TenantEntity, 'tenant', 'tenant.id = ds.tenant_id')
      .innerJoin(BindingEntity, 'binding', 'binding.id = ds.binding_id')
      .innerJoin(ClusterEntity, 'cluster', 'cluster.id = ds.cluster_id');
  }

  private filtered(filter: FleetFilter): SelectQueryBuilder<DeploymentStatusEntity> {
    const query = this.joined();
    whereFilter(query, 'ds', filter);
    if (filter.selector) whereSelector(query, filter.selector);
    return query;
  }

  private rows(query: SelectQueryBuilder<DeploymentStatusEntity>): Promise<FleetRow[]> {
    return query
      .select('ds.tenant_id', 'tenantId')
      .addSelect('ds.binding_id', 'bindingId')
      .addSelect('ds.cluster_id', 'clusterId')
      .addSelect('tenant.slug', 'tenant')
      .addSelect('binding.name', 'binding')
      .addSelect('cluster.name', 'cluster')
      .addSelect(
        '(SELECT max(r.number) FROM revision r WHERE r.binding_id = ds.binding_id AND r.bundle_digest = ds.applied_digest)',
        'revision',
      )
      .addSelect('ds.commit', 'commit')
      .addSelect('ds.shown_sync_state', 'syncState')
      .addSelect('ds.health', 'health')
      .addSelect('ds.error_reason', 'errorReason')
      .addSelect('ds.error_message', 'errorMessage')
      .addSelect('ds.updated_at', 'updatedAt')
      .getRawMany<FleetRow>();
  }

  /** The ids of the bindings named `name` in the given tenants. */
  async bindingsNamed(name: string, tenantIds: FleetFilter['tenantIds']): Promise<string[]> {
    const query = this.db
      .repository(BindingEntity)
      .createQueryBuilder('binding')
      .select('binding.id', 'id')
      .where('binding.name = :name', { name });
    if (tenantIds !== 'all') query.andWhere('binding.tenant_id = ANY(:tenantIds)', { tenantIds });
    return (await query.getRawMany<{ id: string }>()).map((row) => row.id);
  }

  /** One page in (tenant, binding, cluster) id order, which the matrix index serves directly. */
  async page(filter: FleetFilter, page: { limit: number; cursor?: string }) {
    const query = this.filtered(filter);
    if (page.cursor) {
      const [tenantId, bindingId, clusterId] = decodeKey(page.cursor);
      query.andWhere('(ds.tenant_id, ds.binding_id, ds.cluster_id) > (:tenantId, :bindingId, :clusterId)', {
        tenantId,
        bindingId,
        clusterId,
      });
    }
    query
      .orderBy('ds.tenant_id')
      .addOrderBy('ds.binding_id')
      .addOrderBy('ds.cluster_id')
      .limit(page.limit + 1);
    const rows = await this.rows(query);
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: rows.length > page.limit ? encodeKey(items.at(-1)!) : null };
  }

  /** The rows of the given binding × cluster pairs (what just changed), unfiltered. */
  pairs(pairs: { bindingId: string; clusterId: string }[]): Promise<FleetRow[]> {
    if (pairs.length === 0) return Promise.resolve([]);
    return this.rows(
      this.joined().where(
        '(ds.binding_id, ds.cluster_id) IN (SELECT * FROM unnest(CAST(:bindingIds AS uuid[]), CAST(:clusterIds AS uuid[])))',
        {
          bindingIds: pairs.map((pair) => pair.bindingId),
          clusterIds: pairs.map((pair) => pair.clusterId),
        },
      ),
    );
  }

  /**
   * Per binding and applied commit: how many clusters, and how many in each state. Without a
   * label selector this sums the trigger-maintained `fleet_rollup` (a few rows per binding);
   * cluster labels are not part of its key, so with one the matching status rows are counted
   * into the same shape first, so names are joined per group rather than per row.
   */
  async rollups(filter: FleetFilter): Promise<Rollup[]> {
    const { selector } = filter;
    const query = this.db.manager
      .createQueryBuilder()
      .from(
        selector
          ? (rows: SelectQueryBuilder<ObjectLiteral>) => {
              rows
                .select('ds.tenant_id', 'tenant_id')
                .addSelect('ds.binding_id', 'binding_id')
                .addSelect('ds.commit', 'commit')
                .addSelect('ds.shown_sync_state', 'shown_sync_state')
                .addSelect('ds.health', 'health')
                .addSelect('count(*)', 'clusters')
                .from(DeploymentStatusEntity, 'ds')
                .innerJoin(ClusterEntity, 'cluster', 'cluster.id = ds.cluster_id')
                .groupBy('1, 2, 3, 4, 5');
              whereSelector(rows, selector);
              return rows;
            }
          : 'fleet_rollup',
        'r',
      )
      .innerJoin(TenantEntity, 'tenant', 'tenant.id = r.tenant_id')
      .innerJoin(BindingEntity, 'binding', 'binding.id = r.binding_id')
      .select('tenant.slug', 'tenant')
      .addSelect('binding.name', 'binding')
      .addSelect('r.commit', 'commit')
      .addSelect('CAST(sum(r.clusters) AS int)', 'clusters');
    for (const [name, condition] of Object.entries(COUNTS)) {
      query.addSelect(`CAST(COALESCE(sum(r.clusters) FILTER (WHERE ${condition}), 0) AS int)`, name);
    }
    whereFilter(query, 'r', filter);
    return (
      query
        .groupBy('tenant.slug')
        .addGroupBy('binding.name')
        .addGroupBy('r.commit')
        // Deltas of a key that netted out (every row moved on) are no group.
        .having('sum(r.clusters) > 0')
        .orderBy('tenant.slug')
        .addOrderBy('binding.name')
        .addOrderBy('r.commit')
        .getRawMany<Rollup>()
    );
  }

  /** Binding × cluster pairs by shown sync state and health, for the metrics scrape. */
  stateCounts(): Promise<{ syncState: string; health: string; count: number }[]> {
    return this.db.manager
      .createQueryBuilder()
      .from('fleet_rollup', 'r')
      .select('r.shown_sync_state', 'syncState')
      .addSelect('r.health', 'health')
      .addSelect('CAST(sum(r.clusters) AS int)', 'count')
      .groupBy('1')
      .addGroupBy('2')
      .having('sum(r.clusters) > 0')
      .getRawMany();
  }

  /** Folds the rollup deltas the status triggers appended into one row per key. */
  async compactRollups(): Promise<void> {
    await this.db.manager.query('SELECT fleet_rollup_compact()');
  }

  /** Clusters by connection state (as the clusters API derives it), for the metrics scrape. */
  clusterStates(offlineAfterSeconds: number): Promise<{ state: string; count: number }[]> {
    return this.db
      .repository(ClusterEntity)
      .createQueryBuilder('cluster')
      .select(
        `CASE WHEN cluster.last_seen_at IS NULL THEN 'Pending'
          WHEN cluster.last_seen_at < now() - make_interval(secs => :offline) THEN 'Offline'
          ELSE 'Online' END`,
        'state',
      )
      .addSelect('CAST(count(*) AS int)', 'count')
      .setParameter('offline', offlineAfterSeconds)
      .groupBy('1')
      .getRawMany();
  }
}
