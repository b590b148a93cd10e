import type { KubeObject } from '@flotilla/manifests';
import {
  checkObjects,
  limitsForCluster,
  matchesSelector,
  type Grant,
  type LabelSelector,
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
  return checkObjects(
    objects.map((object) => ({ object })),
    limitsForCluster(grants, cluster.labels),
  );
}
