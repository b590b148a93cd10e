import { z } from 'zod';
import { ClusterIdSchema } from './cluster-id.js';
import { CommitSchema, DigestSchema, NonEmptyString } from './common.js';

export const TenantLimitsSchema = z.strictObject({
  /** Namespace patterns (exact names or globs such as `team-a-*`) the tenant may deploy into. */
  namespaces: z.array(NonEmptyString),
  /** Cluster-scoped kinds the tenant may own, `group/Kind` or `Kind` for the core group. */
  clusterScopedKinds: z.array(NonEmptyString),
  /** CEL expressions every tenant object must satisfy. */
  rules: z.array(NonEmptyString),
});
export type TenantLimits = z.infer<typeof TenantLimitsSchema>;

export const SyncPolicySchema = z.strictObject({
  automated: z.boolean(),
  prune: z.boolean(),
  selfHeal: z.boolean(),
});
export type SyncPolicy = z.infer<typeof SyncPolicySchema>;

export const AssignedBindingSchema = z.strictObject({
  bindingId: NonEmptyString,
  tenant: NonEmptyString,
  name: NonEmptyString,
  bundleDigest: DigestSchema,
  commit: CommitSchema,
  namespace: NonEmptyString,
  syncPolicy: SyncPolicySchema,
  suspended: z.boolean(),
});
export type AssignedBinding = z.infer<typeof AssignedBindingSchema>;

/** A cluster's complete desired state; each change bumps `revision`. */
export const AssignmentSchema = z
  .strictObject({
    clusterId: ClusterIdSchema,
    revision: z.number().int().nonnegative(),
    tenants: z.record(NonEmptyString, TenantLimitsSchema),
    bindings: z.array(AssignedBindingSchema),
  })
  .superRefine((assignment, ctx) => {
    const seen = new Set<string>();
    assignment.bindings.forEach((binding, index) => {
      if (!(binding.tenant in assignment.tenants)) {
        ctx.addIssue({
          code: 'custom',
          path: ['bindings', index, 'tenant'],
          message: `binding's tenant "${binding.tenant}" has no entry in tenants`,
        });
      }
      if (seen.has(binding.bindingId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['bindings', index, 'bindingId'],
          message: 'duplicate bindingId',
        });
      }
      seen.add(binding.bindingId);
    });
  });
export type Assignment = z.infer<typeof AssignmentSchema>;

/** Request on `flotilla.hub.<id>.assignment`, the fallback when the direct KV read fails. */
export const AssignmentRequestSchema = z.strictObject({});
export type AssignmentRequest = z.infer<typeof AssignmentRequestSchema>;

export const AssignmentResponseSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('ok'), assignment: AssignmentSchema }),
  z.strictObject({ status: z.literal('not-found') }),
]);
export type AssignmentResponse = z.infer<typeof AssignmentResponseSchema>;
