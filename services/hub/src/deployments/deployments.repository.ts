import type { BindingStatus } from '@flotilla/contracts';
import { Injectable } from '@nestjs/common';
import { paginate, type PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { DeploymentStatusEntity } from './deployment-status.entity.js';
import { SyncHistoryEntity } from './sync-history.entity.js';

export interface ReportedStatus {
  tenantId: string;
  bindingId: string;
  clusterId: string;
  seq: number;
  receivedAt: Date;
  status: BindingStatus;
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

const changed = (before: DeploymentStatusEntity | null, after: DeploymentStatusEntity) =>
  !before ||
  before.appliedDigest !== after.appliedDigest ||
  before.syncState !== after.syncState ||
  before.health !== after.health;

@Injectable()
export class DeploymentsRepository {
  constructor(private readonly db: Db) {}

  private get statuses() {
    return this.db.repository(DeploymentStatusEntity);
  }

  private get history() {
    return this.db.repository(SyncHistoryEntity);
  }

  /**
   * Stores a report of one binding unless a newer one is already stored (the stream delivers
   * at least once, and out of order after a redelivery); appends history when it changed.
   * Returns whether it was stored.
   */
  async record(report: ReportedStatus): Promise<boolean> {
    const { tenantId, bindingId, clusterId, seq, status } = report;
    const before = await this.statuses.findOne({
      where: { bindingId, clusterId },
      lock: { mode: 'pessimistic_write' },
    });
    if (before && before.reportSeq >= seq) return false;
    const after = this.statuses.create({
      bindingId,
      clusterId,
      tenantId,
      appliedDigest: status.appliedDigest,
      commit: status.commit,
      syncState: status.syncState,
      health: status.health,
      objects: objectsOf(status),
      errorReason: status.error?.reason ?? null,
      errorMessage: status.error?.message ?? null,
      durations: status.durations,
      reportSeq: seq,
      updatedAt: report.receivedAt,
    });
    await this.statuses.save(after);
    if (changed(before, after)) {
      await this.history.insert({
        bindingId,
        clusterId,
        tenantId,
        appliedDigest: after.appliedDigest,
        commit: after.commit,
        syncState: after.syncState,
        health: after.health,
        errorReason: after.errorReason,
        reportSeq: seq,
        recordedAt: report.receivedAt,
      });
    }
    return true;
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
