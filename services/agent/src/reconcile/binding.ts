import type { HealthStatus } from './health.js';

/** How a binding is kept in sync (maps 1:1 onto the assignment's sync policy). */
export interface SyncPolicy {
  /** Apply new bundles without a manual sync. */
  automated: boolean;
  /** Delete objects that left Git. */
  prune: boolean;
  /** Revert drift on every reconcile, not only when a new bundle arrives. */
  selfHeal: boolean;
  /** Delete and re-create objects whose change touches an immutable field. */
  force?: boolean;
}

/** One binding of the assignment, as the reconciler needs it. */
export interface BindingSpec {
  bindingId: string;
  tenant: string;
  name: string;
  bundleDigest: string;
  commit: string;
  /** Target namespace for namespaced objects that name none. */
  namespace: string;
  syncPolicy: SyncPolicy;
  suspended: boolean;
}

/** Named failure of one pipeline step, reported to the hub. */
export type FailureReason =
  | 'BundleVerificationFailed'
  | 'PolicyViolation'
  | 'InventoryFailed'
  | 'TenantIdentityFailed'
  | 'ApplyFailed'
  | 'PruneFailed'
  | 'ReconcileFailed';

export type SyncState = 'Synced' | 'OutOfSync' | 'Failed';
export type ObjectAction = 'created' | 'configured' | 'unchanged' | 'pruned' | 'failed' | 'drifted';

/** One object of a binding's status (the wire ObjectResult). */
export interface ObjectResult {
  group: string;
  kind: string;
  /** `''` for cluster-scoped objects. */
  namespace: string;
  name: string;
  action: ObjectAction;
  health: HealthStatus;
  message?: string;
  /** Paths of fields that differed from Git (reported when drifted, reverted when configured). */
  driftedFields?: string[];
}

export interface Durations {
  totalMs: number;
  applyMs?: number;
  pruneMs?: number;
  healthMs?: number;
}

/** The outcome of reconciling one binding (the wire BindingStatus, plus the reason as two fields). */
export interface BindingResult {
  bindingId: string;
  /** Digest of the bundle fully applied on the cluster; null before the first successful sync. */
  appliedDigest: string | null;
  commit: string | null;
  syncState: SyncState;
  health: HealthStatus;
  objects: ObjectResult[];
  reason?: FailureReason;
  message?: string;
  durations: Durations;
}
