import { Injectable } from '@nestjs/common';
import type { LabelSelector } from '@flotilla/policy';
import type { SelectQueryBuilder } from 'typeorm';
import { BindingEntity } from '../bindings/binding.entity.js';
import { ClusterEntity } from '../clusters/cluster.entity.js';
import { whereSelector } from '../clusters/clusters.repository.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { DeploymentStatusEntity } from '../deployments/deployment-status.entity.js';
import { AssignmentStateEntity } from '../scheduler/assignment-state.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { syncStates, type FleetState } from './fleet.dto.js';

/**
 * The sync state the API shows: `Synced` on a bundle the cluster's published assignment no
 * longer names means the agent has not caught up yet (as on the binding's own view). Bundles
 * carry their binding id, so a digest in the list can only be this binding's.
 */
const SYNC = `CASE WHEN ds.sync_state = 'Synced' AND COALESCE(
    jsonb_exists(assignment.binding_ids, CAST(ds.binding_id AS text))
    AND NOT jsonb_exists(assignment.bundle_digests, ds.applied_digest), false)
  THEN 'OutOfSync' ELSE ds.sync_state END`;

export interface FleetFilter {
  tenantIds: 'all' | string[];
  binding?: string;
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

/** Counts per state, as `count(*) FILTER (...)` columns named like the rollup fields. */
const COUNTS = {
  synced: `${SYNC} = 'Synced'`,
  outOfSync: `${SYNC} = 'OutOfSync'`,
  failed: `${SYNC} = 'Failed'`,
  healthy: `ds.health = 'Healthy'`,
  progressing: `ds.health = 'Progressing'`,
  degraded: `ds.health = 'Degraded'`,
  missing: `ds.health = 'Missing'`,
  unknown: `ds.health = 'Unknown'`,
} as const;

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
      .innerJoin(ClusterEntity, 'cluster', 'cluster.id = ds.cluster_id')
      .leftJoin(AssignmentStateEntity, 'assignment', 'assignment.cluster_id = CAST(ds.cluster_id AS text)');
  }

  private filtered(filter: FleetFilter): SelectQueryBuilder<DeploymentStatusEntity> {
    const query = this.joined();
    if (filter.tenantIds !== 'all')
      query.andWhere('ds.tenant_id = ANY(:tenantIds)', { tenantIds: filter.tenantIds });
    if (filter.binding !== undefined) query.andWhere('binding.name = :binding', { binding: filter.binding });
    if (filter.selector) whereSelector(query, filter.selector);
    if (filter.state !== undefined) {
      const column = (syncStates as readonly string[]).includes(filter.state) ? SYNC : 'ds.health';
      query.andWhere(`${column} = :state`, { state: filter.state });
    }
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
      .addSelect(SYNC, 'syncState')
      .addSelect('ds.health', 'health')
      .addSelect('ds.error_reason', 'errorReason')
      .addSelect('ds.error_message', 'errorMessage')
      .addSelect('ds.updated_at', 'updatedAt')
      .getRawMany<FleetRow>();
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

  /** Per binding and applied commit: how many clusters, and how many in each state. */
  async rollups(filter: FleetFilter): Promise<Rollup[]> {
    const query = this.filtered(filter)
      .select('tenant.slug', 'tenant')
      .addSelect('binding.name', 'binding')
      .addSelect('ds.commit', 'commit')
      .addSelect('CAST(count(*) AS int)', 'clusters');
    for (const [name, condition] of Object.entries(COUNTS)) {
      query.addSelect(`CAST(count(*) FILTER (WHERE ${condition}) AS int)`, name);
    }
    return query
      .groupBy('tenant.slug')
      .addGroupBy('binding.name')
      .addGroupBy('ds.commit')
      .orderBy('tenant.slug')
      .addOrderBy('binding.name')
      .addOrderBy('ds.commit')
      .getRawMany<Rollup>();
  }

  /** Binding × cluster pairs by shown sync state and health, for the metrics scrape. */
  stateCounts(): Promise<{ syncState: string; health: string; count: number }[]> {
    return this.joined()
      .select(SYNC, 'syncState')
      .addSelect('ds.health', 'health')
      .addSelect('CAST(count(*) AS int)', 'count')
      .groupBy('1')
      .addGroupBy('2')
      .getRawMany();
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
