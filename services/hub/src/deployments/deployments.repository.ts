import type { BindingStatus } from '@flotilla/contracts';
import { Injectable } from '@nestjs/common';
import { paginate, type PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { DeploymentStatusEntity } from './deployment-status.entity.js';
import { SyncHistoryEntity } from './sync-history.entity.js';

/** One cluster's report of some of its bindings (each once), all carrying the report's `seq`. */
export interface ClusterReport {
  clusterId: string;
  seq: number;
  receivedAt: Date;
  bindings: BindingStatus[];
}

/** A pair a report stored; `visible` when what the fleet view shows of it changed. */
export interface StoredPair {
  bindingId: string;
  visible: boolean;
}

/** What `record` did with a report: the pairs it stored, the bindings it ignored. */
export interface RecordedReport {
  stored: StoredPair[];
  /** Reported bindings the cluster's published assignment does not hold. */
  unassigned: string[];
}

/** Only the reported facts the API may show: the contract's object fields, no values. */
function objectsOf(status: BindingStatus): DeploymentStatusEntity['objects'] {
  return status.objects.map(({ group, kind, namespace, name, action, health, message, driftedFields }) => ({
    group,
    kind,
    namespace,
    name,
    action,
    health,
    ...(message !== undefined && { message }),
    ...(driftedFields !== undefined && { driftedFields }),
  }));
}

/**
 * One statement per report, whatever its size: takes only the bindings the cluster's published
 * assignment holds (an agent cannot write status for another tenant's binding, or a cluster it
 * is not on), upserts every such binding's row unless a newer report is already stored (the
 * stream delivers at least once, and out of order after a redelivery), appends history where
 * the applied digest, sync state or health moved, and returns the stored pairs and the
 * bindings it ignored. Reported ids stay text until matched with an assigned one: a forged id
 * needs not be a uuid. `before` reads the rows as they were when the statement started, so it
 * sees the previous report, not this one.
 *
 * A report that repeats what a row says (the steady state: every resync reports every binding)
 * leaves the row alone — no new tuple, no trigger work, no history — so `report_seq`,
 * `updated_at` and `durations` are those of the last report that changed something. That keeps
 * idempotence: the cluster's `last_seq` already turns away any report older than the newest,
 * so an older report never reaches this statement. No row lock is needed: the status ingest
 * transaction holds the cluster's row lock, so one cluster's reports are stored one at a time.
 */
const RECORD_REPORT = `
  WITH sent AS (
    SELECT * FROM jsonb_to_recordset($4::jsonb) AS r(
      binding_id text, applied_digest text, commit text, sync_state text, health text,
      objects jsonb, error_reason text, error_message text, durations jsonb)
  ),
  assigned AS (
    -- Locked (shared) before any deployment row, as a publish locks it before its trigger
    -- touches them: the same order both ways, so the two never deadlock.
    SELECT jsonb_array_elements_text(binding_ids) AS binding_id
    FROM (SELECT binding_ids FROM assignment_state WHERE cluster_id = $1::text FOR SHARE) AS published
  ),
  reported AS (
    SELECT s.*, b.id, b.tenant_id
    FROM sent s JOIN assigned a USING (binding_id) JOIN binding b ON b.id = a.binding_id::uuid
  ),
  before AS (
    SELECT d.binding_id, d.applied_digest, d.commit, d.sync_state, d.health, d.error_reason, d.error_message
    FROM deployment_status d JOIN reported r ON r.id = d.binding_id
    WHERE d.cluster_id = $1::uuid
  ),
  stored AS (
    INSERT INTO deployment_status AS d (binding_id, cluster_id, tenant_id, applied_digest, commit, sync_state,
                                        health, objects, error_reason, error_message, durations, report_seq, updated_at)
    SELECT id, $1::uuid, tenant_id, applied_digest, commit, sync_state, health, objects, error_reason,
           error_message, durations, $2::bigint, $3::timestamptz
    FROM reported
    ON CONFLICT (binding_id, cluster_id) DO UPDATE SET
      tenant_id = excluded.tenant_id, applied_digest = excluded.applied_digest, commit = excluded.commit,
      sync_state = excluded.sync_state, health = excluded.health, objects = excluded.objects,
      error_reason = excluded.error_reason, error_message = excluded.error_message,
      durations = excluded.durations, report_seq = excluded.report_seq, updated_at = excluded.updated_at
    WHERE d.report_seq < excluded.report_seq
      AND (d.tenant_id, d.applied_digest, d.commit, d.sync_state, d.health, d.objects, d.error_reason, d.error_message)
        IS DISTINCT FROM (excluded.tenant_id, excluded.applied_digest, excluded.commit, excluded.sync_state,
                          excluded.health, excluded.objects, excluded.error_reason, excluded.error_message)
    RETURNING d.binding_id, d.tenant_id, d.applied_digest, d.commit, d.sync_state, d.health, d.error_reason,
              d.error_message
  ),
  changes AS (
    SELECT s.*,
           b.binding_id IS NULL OR (b.applied_digest, b.sync_state, b.health)
             IS DISTINCT FROM (s.applied_digest, s.sync_state, s.health) AS moved,
           b.binding_id IS NULL OR (b.applied_digest, b.commit, b.sync_state, b.health, b.error_reason, b.error_message)
             IS DISTINCT FROM (s.applied_digest, s.commit, s.sync_state, s.health, s.error_reason, s.error_message)
             AS visible
    FROM stored s LEFT JOIN before b USING (binding_id)
  ),
  history AS (
    INSERT INTO sync_history (binding_id, cluster_id, tenant_id, applied_digest, commit, sync_state, health,
                              error_reason, report_seq, recorded_at)
    SELECT binding_id, $1::uuid, tenant_id, applied_digest, commit, sync_state, health, error_reason, $2::bigint,
           $3::timestamptz
    FROM changes WHERE moved
  )
  SELECT binding_id::text AS "bindingId", visible, true AS assigned FROM changes
  UNION ALL
  SELECT binding_id, false, false FROM sent WHERE binding_id NOT IN (SELECT binding_id FROM assigned)`;

@Injectable()
export class DeploymentsRepository {
  constructor(private readonly db: Db) {}

  private get statuses() {
    return this.db.repository(DeploymentStatusEntity);
  }

  private get history() {
    return this.db.repository(SyncHistoryEntity);
  }

  /** Stores a cluster's report of its bindings; see RECORD_REPORT. */
  async record(report: ClusterReport): Promise<RecordedReport> {
    if (!report.bindings.length) return { stored: [], unassigned: [] };
    const rows = report.bindings.map((status) => ({
      binding_id: status.bindingId,
      applied_digest: status.appliedDigest,
      commit: status.commit,
      sync_state: status.syncState,
      health: status.health,
      objects: objectsOf(status),
      error_reason: status.error?.reason ?? null,
      error_message: status.error?.message ?? null,
      durations: status.durations,
    }));
    const outcome = await this.db.manager.query<(StoredPair & { assigned: boolean })[]>(RECORD_REPORT, [
      report.clusterId,
      report.seq,
      report.receivedAt,
      JSON.stringify(rows),
    ]);
    return {
      stored: outcome.filter((row) => row.assigned).map(({ bindingId, visible }) => ({ bindingId, visible })),
      unassigned: outcome.filter((row) => !row.assigned).map((row) => row.bindingId),
    };
  }

  forBinding(tenantId: string, bindingId: string): Promise<DeploymentStatusEntity[]> {
    return this.statuses.findBy({ tenantId, bindingId });
  }

  find(tenantId: string, bindingId: string, clusterId: string): Promise<DeploymentStatusEntity | null> {
    return this.statuses.findOneBy({ tenantId, bindingId, clusterId });
  }

  /** Newest first. */
  historyPage(tenantId: string, bindingId: string, clusterId: string, page: PageQuery) {
    const query = this.history
      .createQueryBuilder('sync')
      .where('sync.tenant_id = :tenantId AND sync.binding_id = :bindingId AND sync.cluster_id = :clusterId', {
        tenantId,
        bindingId,
        clusterId,
      });
    return paginate(query, 'sync.id', page, (row) => row, 'DESC');
  }
}
