import type { DeploymentStatusEntity } from './deployment-status.entity.js';
import type { SyncHistoryEntity } from './sync-history.entity.js';

/**
 * What a cluster last reported about a binding. Reported `Synced` on a bundle other than the
 * assigned one means the agent has not caught up yet, which the API calls `OutOfSync`.
 */
export function toDeploymentDto(status: DeploymentStatusEntity | undefined, assignedDigest: string | null) {
  if (!status) {
    return {
      appliedDigest: null,
      appliedCommit: null,
      syncState: null,
      health: null,
      objects: [],
      lastError: null,
      durations: null,
      updatedAt: null,
    };
  }
  const behind = assignedDigest !== null && status.appliedDigest !== assignedDigest;
  return {
    appliedDigest: status.appliedDigest,
    appliedCommit: status.commit,
    syncState: status.syncState === 'Synced' && behind ? 'OutOfSync' : status.syncState,
    health: status.health,
    objects: status.objects,
    lastError: status.errorReason ? { reason: status.errorReason, message: status.errorMessage ?? '' } : null,
    durations: status.durations,
    updatedAt: status.updatedAt.toISOString(),
  };
}

export function toSyncHistoryDto(row: SyncHistoryEntity) {
  return {
    appliedDigest: row.appliedDigest,
    appliedCommit: row.commit,
    syncState: row.syncState,
    health: row.health,
    errorReason: row.errorReason,
    recordedAt: row.recordedAt.toISOString(),
  };
}
