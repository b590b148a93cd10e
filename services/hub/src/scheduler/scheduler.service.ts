import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AssignmentSchema } from '@flotilla/contracts';
import { canonicalJson, readBundle, type KubeObject } from '@flotilla/manifests';
import { limitsForCluster, matchesSelector, type Grant, type LabelSelector } from '@flotilla/policy';
import { BindingsRepository } from '../bindings/bindings.repository.js';
import type { BindingEntity } from '../bindings/binding.entity.js';
import { Db } from '../database/db.js';
import { toPolicyGrant } from '../grants/grant.entity.js';
import { GrantsRepository } from '../grants/grants.repository.js';
import type { RevisionEntity } from '../revisions/revision.entity.js';
import { RevisionsRepository } from '../revisions/revisions.repository.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { ASSIGNMENT_SINK, type AssignmentSink } from './assignment-sink.js';
import { AssignmentStateRepository } from './assignment-state.repository.js';
import { ClusterDirectory, type ClusterView } from './cluster-directory.js';
import { desiredSet, type DesiredSet } from './desired-set.js';
import { policyOnCluster, targets } from './placement.js';

/** How far back a cluster whose grants refuse the newest revisions looks for one they accept. */
const FALLBACK_DEPTH = 10;
const OBJECT_CACHE_SIZE = 256;

/**
 * Turns bindings × cluster labels × grants × revisions into each cluster's complete desired
 * set and publishes it when — and only when — it changed. Callers name what changed; the
 * scheduler works out which clusters that can affect and recomputes exactly those.
 */
@Injectable()
export class SchedulerService {
  private readonly logger = new Logger(SchedulerService.name);
  // Bundles are immutable, so their parsed objects can be kept.
  private readonly objects = new Map<string, KubeObject[]>();

  constructor(
    private readonly db: Db,
    private readonly clusters: ClusterDirectory,
    private readonly bindings: BindingsRepository,
    private readonly grants: GrantsRepository,
    private readonly revisions: RevisionsRepository,
    private readonly tenants: TenantsRepository,
    private readonly states: AssignmentStateRepository,
    @Inject(ASSIGNMENT_SINK) private readonly sink: AssignmentSink,
  ) {}

  /** A binding was created, changed, deleted or got a new revision. */
  async bindingsChanged(bindingIds: readonly string[]): Promise<string[]> {
    const all = await this.clusters.all();
    const affected = new Set<string>();
    for (const id of bindingIds) {
      for (const clusterId of await this.states.clustersWithBinding(id)) affected.add(clusterId);
      const binding = await this.bindings.findById(id);
      if (binding) for (const cluster of all.filter((c) => targets(binding, c))) affected.add(cluster.id);
    }
    return this.recompute([...affected]);
  }

  /** A grant changed: its old and new selectors bound the clusters whose limits moved. */
  async grantChanged(tenantId: string, selectors: readonly LabelSelector[]): Promise<string[]> {
    const affected = (await this.clusters.all()).filter(
      (cluster) =>
        (cluster.tenantId === null || cluster.tenantId === tenantId) &&
        selectors.some((selector) => matchesSelector(cluster.labels, selector)),
    );
    return this.recompute(affected.map((cluster) => cluster.id));
  }

  /** A cluster was added or its labels changed (for the clusters module to call). */
  clusterChanged(clusterId: string): Promise<string[]> {
    return this.recompute([clusterId]);
  }

  /** A cluster was deleted: forget what was published (the clusters module deletes its KV key). */
  async clusterRemoved(clusterId: string): Promise<void> {
    await this.states.delete(clusterId);
  }

  /** Every cluster: after (re)connecting to NATS, or as a safety net. */
  async recomputeAll(): Promise<string[]> {
    return this.recompute((await this.clusters.all()).map((cluster) => cluster.id));
  }

  /** Recomputes these clusters; returns those that got a new assignment revision. */
  async recompute(clusterIds: readonly string[]): Promise<string[]> {
    const published: string[] = [];
    for (const clusterId of [...new Set(clusterIds)].sort()) {
      try {
        if (await this.publish(clusterId)) published.push(clusterId);
      } catch (error) {
        // One cluster's failure must not hold back the others; the next change retries it.
        this.logger.error(
          `publishing the assignment of cluster ${clusterId} failed: ${(error as Error).message}`,
        );
      }
    }
    return published;
  }

  private publish(clusterId: string): Promise<boolean> {
    return this.db.transaction(async () => {
      await this.states.lock(clusterId);
      const [cluster] = await this.clusters.byIds([clusterId]);
      if (!cluster) return false;
      const desired = await this.desired(cluster);
      const documentHash = createHash('sha256').update(canonicalJson(desired)).digest('hex');
      const state = await this.states.find(clusterId);
      if (state?.documentHash === documentHash) return false;
      const revision = (state?.revision ?? 0) + 1;
      await this.sink.putAssignment(clusterId, AssignmentSchema.parse({ clusterId, revision, ...desired }));
      await this.states.save({
        clusterId,
        documentHash,
        revision,
        bindingIds: desired.bindings.map((binding) => binding.bindingId),
        bundleDigests: [...new Set(desired.bindings.map((binding) => binding.bundleDigest))],
        publishedAt: new Date(),
      });
      return true;
    });
  }

  /** Every binding targeting the cluster, each at the newest revision the cluster's grants accept. */
  async desired(cluster: ClusterView): Promise<DesiredSet> {
    const bindings = (await this.bindings.all()).filter((binding) => targets(binding, cluster));
    const grants = new Map<string, Grant[]>();
    for (const grant of await this.grants.all()) {
      grants.set(grant.tenantId, [...(grants.get(grant.tenantId) ?? []), toPolicyGrant(grant)]);
    }
    const slugs = await this.tenants.slugsById([...new Set(bindings.map((binding) => binding.tenantId))]);
    const entries = [];
    for (const binding of bindings) {
      const tenantGrants = grants.get(binding.tenantId) ?? [];
      const limits = limitsForCluster(tenantGrants, cluster.labels);
      const tenant = slugs.get(binding.tenantId);
      if (!limits || !tenant) continue;
      const revision = await this.acceptedRevision(binding, tenantGrants, cluster);
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
    return desiredSet(entries);
  }

  /** The pinned revision, else the newest deployable one; either only if the grants accept it. */
  async acceptedRevision(
    binding: BindingEntity,
    grants: readonly Grant[],
    cluster: ClusterView,
  ): Promise<RevisionEntity | undefined> {
    const pinned = binding.pinnedRevisionId ? await this.revisions.findById(binding.pinnedRevisionId) : null;
    const candidates = pinned ? [pinned] : await this.revisions.deployable(binding.id, FALLBACK_DEPTH);
    for (const revision of candidates) {
      if (!revision.bundleDigest) continue;
      if (policyOnCluster(await this.objectsOf(revision.bundleDigest), grants, cluster).passed)
        return revision;
    }
    return undefined;
  }

  /** A stored bundle's objects. */
  async objectsOf(digest: string): Promise<KubeObject[]> {
    const cached = this.objects.get(digest);
    if (cached) return cached;
    const bundle = await this.revisions.findBundle(digest);
    if (!bundle) throw new Error(`bundle ${digest} is missing`);
    const objects = readBundle(bundle.bytes).objects;
    if (this.objects.size >= OBJECT_CACHE_SIZE) this.objects.delete(this.objects.keys().next().value!);
    this.objects.set(digest, objects);
    return objects;
  }
}
