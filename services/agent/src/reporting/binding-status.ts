import type { AssignedBinding, BindingStatus } from '@flotilla/contracts';
import type { BindingResult } from '../reconcile/index.js';

/**
 * The wire status of one binding from the reconciler's result: the same fields, except the
 * failure's reason and message travel as `error`. Nothing else is copied, so nothing the
 * reconciler redacted (Secret values) can reach the report.
 */
export function toBindingStatus(result: BindingResult): BindingStatus {
  const { applyMs, pruneMs, healthMs, totalMs } = result.durations;
  return {
    bindingId: result.bindingId,
    appliedDigest: result.appliedDigest,
    commit: result.commit,
    syncState: result.syncState,
    health: result.health,
    objects: result.objects.map((object) => ({
      group: object.group,
      kind: object.kind,
      namespace: object.namespace,
      name: object.name,
      action: object.action,
      health: object.health,
      ...(object.message !== undefined && { message: object.message }),
      ...(object.driftedFields && { driftedFields: [...object.driftedFields] }),
    })),
    durations: {
      totalMs,
      ...(applyMs !== undefined && { applyMs }),
      ...(pruneMs !== undefined && { pruneMs }),
      ...(healthMs !== undefined && { healthMs }),
    },
    ...(result.reason && { error: { reason: result.reason, message: result.message ?? '' } }),
  };
}

/**
 * The status of a binding whose bundle could not be obtained: nothing was reconciled, the
 * cluster keeps what was last applied (`applied`, from the binding's inventory).
 */
export function bundleFetchFailed(
  binding: AssignedBinding,
  applied: { digest: string; commit: string } | undefined,
  message: string,
  totalMs: number,
): BindingStatus {
  return {
    bindingId: binding.bindingId,
    appliedDigest: applied?.digest ?? null,
    commit: applied?.commit ?? null,
    syncState: 'Failed',
    health: 'Unknown',
    objects: [],
    durations: { totalMs, fetchMs: totalMs },
    error: { reason: 'BundleFetchFailed', message },
  };
}
