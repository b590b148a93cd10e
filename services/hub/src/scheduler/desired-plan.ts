import { createHash } from 'node:crypto';
import { canonicalJson, type KubeObject } from '@flotilla/manifests';
import { limitsForCluster, type Grant, type TenantLimits } from '@flotilla/policy';
import type { BindingEntity } from '../bindings/binding.entity.js';
import type { ScheduledRevision } from '../revisions/revisions.repository.js';
import type { ClusterView } from './cluster-directory.js';
import { desiredSet, type DesiredSet } from './desired-set.js';
import { firstFitting, targets } from './placement.js';

/** Everything desired sets are computed from, read once for a batch of clusters. */
export interface SchedulingSnapshot {
  /** The bindings targeting at least one cluster of the batch. */
  bindings: readonly BindingEntity[];
  /** tenant id → its grants. */
  grants: ReadonlyMap<string, readonly Grant[]>;
  /** tenant id → slug. */
  slugs: ReadonlyMap<string, string>;
  /** binding id → the revisions it may deploy, preferred first (just the pinned one, if pinned). */
  candidates: ReadonlyMap<string, readonly ScheduledRevision[]>;
}

export interface HashedDesiredSet {
  desired: DesiredSet;
  /** sha256 of the canonical document: equal hashes, nothing to publish. */
  documentHash: string;
}

/**
 * The desired sets of one snapshot's clusters. A desired set depends on a cluster only through
 * its tenant and labels, and a binding's accepted revision only through the limits the labels
 * give, so clusters sharing those share the work: a thousand clusters in a few label groups
 * cost a few policy checks per binding, not a thousand.
 */
export class DesiredPlan {
  private readonly sets = new Map<string, Promise<HashedDesiredSet>>();
  private readonly accepted = new Map<string, Promise<ScheduledRevision | undefined>>();

  constructor(
    private readonly snapshot: SchedulingSnapshot,
    private readonly objectsOf: (digest: string) => Promise<readonly KubeObject[]>,
  ) {}

  desired(cluster: ClusterView): Promise<HashedDesiredSet> {
    return memo(this.sets, canonicalJson([cluster.tenantId, cluster.labels]), () => this.compute(cluster));
  }

  /** Every binding targeting the cluster, each at the newest revision the cluster's grants accept. */
  private async compute(cluster: ClusterView): Promise<HashedDesiredSet> {
    const entries = [];
    for (const binding of this.snapshot.bindings) {
      if (!targets(binding, cluster)) continue;
      const limits = limitsForCluster(this.snapshot.grants.get(binding.tenantId) ?? [], cluster.labels);
      const tenant = this.snapshot.slugs.get(binding.tenantId);
      if (!limits || !tenant) continue;
      const revision = await this.acceptedRevision(binding, limits);
      if (!revision) continue;
      entries.push({
        limits,
        binding: {
          bindingId: binding.id,
          tenant,
          name: binding.name,
          bundleDigest: revision.bundleDigest!,
          commit: revision.commit,
          namespace: binding.namespace,
          syncPolicy: binding.syncPolicy,
          suspended: binding.suspended,
        },
      });
    }
    const desired = desiredSet(entries);
    return { desired, documentHash: createHash('sha256').update(canonicalJson(desired)).digest('hex') };
  }

  private acceptedRevision(binding: BindingEntity, limits: TenantLimits) {
    return memo(this.accepted, JSON.stringify([binding.id, limits]), () =>
      firstFitting(this.snapshot.candidates.get(binding.id) ?? [], limits, this.objectsOf),
    );
  }
}

function memo<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, (value = make()));
  return value;
}
