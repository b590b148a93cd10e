import { z } from 'zod';
import type { Grant } from './grant.js';
import { parseKindRef } from './kind-ref.js';
import { matchesSelector } from './selector.js';

/**
 * What one tenant may do on one cluster: the union of the grants whose selector matches the
 * cluster. Plain data, so the hub can ship it to the agent inside the assignment.
 * Rules accumulate: every rule of every matching grant applies to every object.
 */
export const tenantLimitsSchema = z.object({
  grants: z.array(z.string()),
  namespaces: z.array(z.string()),
  clusterScopedKinds: z.array(z.object({ group: z.string(), kind: z.string() })),
  rules: z.array(z.object({ grant: z.string(), expression: z.string(), message: z.string() })),
});

export type TenantLimits = z.infer<typeof tenantLimitsSchema>;

/** The tenant's limits on a cluster with these labels; undefined when no grant covers it. */
export function limitsForCluster(
  grants: readonly Grant[],
  clusterLabels: Readonly<Record<string, string>>,
): TenantLimits | undefined {
  const matching = grants.filter((grant) => matchesSelector(clusterLabels, grant.clusterSelector));
  if (matching.length === 0) return undefined;
  const kinds = new Map(
    matching
      .flatMap((grant) => grant.clusterScopedKinds.map(parseKindRef))
      .map((groupKind) => [`${groupKind.group}/${groupKind.kind}`, groupKind]),
  );
  return {
    grants: matching.map((grant) => grant.name),
    namespaces: [...new Set(matching.flatMap((grant) => grant.namespaces))],
    clusterScopedKinds: [...kinds.values()],
    rules: matching.flatMap((grant) => grant.rules.map((rule) => ({ grant: grant.name, ...rule }))),
  };
}
