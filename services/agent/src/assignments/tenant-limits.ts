import type { Assignment } from '@flotilla/contracts';
import { parseKindRef, type TenantLimits } from '@flotilla/policy';

/** Stands in for grant names, which the wire assignment does not carry. */
const ASSIGNED_GRANT = 'assignment';

/**
 * A tenant's limits on this cluster as the reconciler's policy check wants them, from the
 * assignment's wire form (kinds as `group/Kind` strings, rules as bare CEL expressions).
 * Undefined when the assignment has no limits for the tenant: then everything is refused.
 */
export function tenantLimits(assignment: Assignment, tenant: string): TenantLimits | undefined {
  const wire = Object.hasOwn(assignment.tenants, tenant) ? assignment.tenants[tenant] : undefined;
  if (!wire) return undefined;
  return {
    grants: [ASSIGNED_GRANT],
    namespaces: wire.namespaces,
    clusterScopedKinds: wire.clusterScopedKinds.map((ref) => parseKindRef(ref)),
    rules: wire.rules.map((expression) => ({
      grant: ASSIGNED_GRANT,
      expression,
      message: `violates the tenant rule ${expression}`,
    })),
  };
}
