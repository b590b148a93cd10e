import type { AssignedBinding, Assignment, TenantLimits as WireLimits } from '@flotilla/contracts';
import type { TenantLimits } from '@flotilla/policy';

/** An assignment without its revision number: what is hashed to tell whether anything changed. */
export type DesiredSet = Pick<Assignment, 'tenants' | 'bindings'>;

/** The policy library's limits in the wire form the agent enforces. */
export function toWireLimits(limits: TenantLimits): WireLimits {
  return {
    namespaces: [...limits.namespaces].sort(),
    clusterScopedKinds: limits.clusterScopedKinds
      .map(({ group, kind }) => (group ? `${group}/${kind}` : kind))
      .sort(),
    rules: limits.rules.map((rule) => rule.expression),
  };
}

/** Sorted, so the same inputs always give the same document (and the same hash). */
export function desiredSet(entries: Array<{ binding: AssignedBinding; limits: TenantLimits }>): DesiredSet {
  const sorted = [...entries].sort((a, b) => (a.binding.bindingId < b.binding.bindingId ? -1 : 1));
  const tenants: Record<string, WireLimits> = {};
  for (const { binding, limits } of sorted) tenants[binding.tenant] ??= toWireLimits(limits);
  return { tenants, bindings: sorted.map((entry) => entry.binding) };
}
