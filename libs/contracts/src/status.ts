import { z } from 'zod';
import {
  CommitSchema,
  DigestSchema,
  NonEmptyString,
  ProtocolVersionSchema,
  TimestampSchema,
} from './common.js';

export const SyncStateSchema = z.enum(['Synced', 'OutOfSync', 'Failed']);
export type SyncState = z.infer<typeof SyncStateSchema>;

export const HealthSchema = z.enum(['Healthy', 'Progressing', 'Degraded', 'Missing', 'Unknown']);
export type Health = z.infer<typeof HealthSchema>;

export const ObjectActionSchema = z.enum([
  'created',
  'configured',
  'unchanged',
  'pruned',
  'failed',
  'drifted',
]);
export type ObjectAction = z.infer<typeof ObjectActionSchema>;

export const ObjectResultSchema = z.strictObject({
  group: z.string(), // '' is the core group
  kind: NonEmptyString,
  namespace: z.string(), // '' for cluster-scoped objects
  name: NonEmptyString,
  action: ObjectActionSchema,
  health: HealthSchema,
  message: z.string().optional(),
  driftedFields: z.array(NonEmptyString).optional(),
});
export type ObjectResult = z.infer<typeof ObjectResultSchema>;

const Millis = z.number().nonnegative();

export const DurationsSchema = z.strictObject({
  totalMs: Millis,
  fetchMs: Millis.optional(),
  applyMs: Millis.optional(),
  pruneMs: Millis.optional(),
  healthMs: Millis.optional(),
});

export const BindingErrorSchema = z.strictObject({
  /** Stable machine-readable reason, e.g. `BundleFetchFailed`, `ApplyFailed`. */
  reason: NonEmptyString,
  message: z.string(),
});

export const BindingStatusSchema = z.strictObject({
  bindingId: NonEmptyString,
  /** Null until a bundle of this binding has been applied on the cluster. */
  appliedDigest: DigestSchema.nullable(),
  commit: CommitSchema.nullable(),
  syncState: SyncStateSchema,
  health: HealthSchema,
  objects: z.array(ObjectResultSchema),
  durations: DurationsSchema,
  error: BindingErrorSchema.optional(),
});
export type BindingStatus = z.infer<typeof BindingStatusSchema>;

// Both message kinds share one per-agent `seq` counter so the hub can drop replays of
// anything it already ingested, whatever the kind.
const envelope = {
  seq: z.number().int().nonnegative(),
  sentAt: TimestampSchema,
};

export const HeartbeatSchema = z.strictObject({
  kind: z.literal('heartbeat'),
  ...envelope,
  agentVersion: NonEmptyString,
  protocolVersion: ProtocolVersionSchema,
  /** Revision of the assignment the agent currently enforces, null before the first one. */
  assignmentRevision: z.number().int().nonnegative().nullable(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const StatusReportSchema = z.strictObject({
  kind: z.literal('status'),
  ...envelope,
  assignmentRevision: z.number().int().nonnegative(),
  bindings: z.array(BindingStatusSchema),
});
export type StatusReport = z.infer<typeof StatusReportSchema>;

/** Everything an agent publishes on `flotilla.status.<id>`. */
export const StatusMessageSchema = z.discriminatedUnion('kind', [HeartbeatSchema, StatusReportSchema]);
export type StatusMessage = z.infer<typeof StatusMessageSchema>;
