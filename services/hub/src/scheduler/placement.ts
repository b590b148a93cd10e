import type { KubeObject } from '@flotilla/manifests';
import {
  checkObjects,
  limitsForCluster,
  matchesSelector,
  type Grant,
  type LabelSelector,
  type TenantLimits,
  type Verdict,
} from '@flotilla/policy';
import type { ClusterView } from './cluster-directory.js';

/** The part of a binding that decides where it goes. */
export interface Placed {
  tenantId: string;
  clusterSelector: LabelSelector;
}

/** A binding targets a cluster its selector matches, unless the cluster is dedicated to another tenant. */
export function targets(binding: Placed, cluster: ClusterView): boolean {
  return (
    (cluster.tenantId === null || cluster.tenantId === binding.tenantId) &&
    matchesSelector(cluster.labels, binding.clusterSelector)
  );
}

/** The tenant's grants applied to one cluster: every object must fit (no grant → all refused). */
export function policyOnCluster(
  objects: readonly KubeObject[],
  grants: readonly Grant[],
  cluster: ClusterView,
): Verdict {
  return objectsFit(objects, limitsForCluster(grants, cluster.labels));
}

/** Limits already worked out for a cluster applied to objects (no limits → all refused). */
export function objectsFit(objects: readonly KubeObject[], limits: TenantLimits | undefined): Verdict {
  return checkObjects(
    objects.map((object) => ({ object })),
    limits,
  );
}

/** The first candidate (in order of preference) whose bundle fits the limits. */
export async function firstFitting<R extends { bundleDigest: string | null }>(
  candidates: readonly R[],
  limits: TenantLimits | undefined,
  objectsOf: (digest: string) => Promise<readonly KubeObject[]>,
): Promise<R | undefined> {
  for (const revision of candidates) {
    if (revision.bundleDigest && objectsFit(await objectsOf(revision.bundleDigest), limits).passed)
      return revision;
  }
  return undefined;
}
