export type {
  BindingResult,
  BindingSpec,
  Durations,
  FailureReason,
  ObjectAction,
  ObjectResult,
  SyncPolicy,
  SyncState,
} from './binding.js';
export { Reconciler, type ReconcileInput, type ReconcilerParts } from './reconciler.js';
export { ResourceManager, FIELD_MANAGER } from './resource-manager.js';
export { Discovery, type ResourceInfo } from './discovery.js';
export {
  DEFAULT_RATE_LIMIT,
  KubeClient,
  loadKubeConfig,
  type Identity,
  type KubeClientOptions,
  type KubeConfigSource,
  type KubeRequest,
} from './kube-client.js';
export { KubeApiError } from './kube-errors.js';
export { ConfigMapInventoryStore, INVENTORY_LABEL, type InventoryStore } from './inventory-store.js';
export type { Inventory } from './inventory.js';
export { healthOf, worstHealth, type Health, type HealthStatus } from './health.js';
export type { ChangeAction, ChangeSetEntry } from './changeset.js';
export type { DiffResult } from './diff.js';
export { PRUNE_ANNOTATION } from './delete.js';
export { tenantIdentity, tenantServiceAccountName } from './tenant-identity.js';
export { systemClock, silentLogger, type Clock, type Logger } from './clock.js';
export type { RateLimit } from './rate-limit.js';
export type { RetryPolicy } from './retry.js';
