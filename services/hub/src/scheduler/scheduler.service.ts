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
import type { AssignmentStateEntity } from './assignment-state.entity.js';
import { AssignmentStateRepository } from './assignment-state.repository.js';
import { settleBounded } from './bounded.js';
import { ClusterDirectory, type ClusterView } from './cluster-directory.js';
import { DesiredPlan } from './desired-plan.js';
import type { DesiredSet } from './desired-set.js';
import { firstFitting, targets } from './placement.js';

/** How far back a cluster whose grants refuse the newest revisions looks for one they accept. */
const FALLBACK_DEPTH = 10;
const OBJECT_CACHE_SIZE = 256;
/**
 * Clusters recomputed in one transaction: the snapshot is read once per chunk, and the chunk's
 * locks are held while its assignments are published, so a chunk must stay short.
 */
const CHUNK_SIZE = 200;
/** Assignment writes in flight at once: enough to hide the NATS round trip, few enough to not flood it. */
const PUBLISH_CONCURRENCY = 32;

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
    const affected = new Set(await this.states.clustersWithAnyBinding(bindingIds));
    const bindings = await this.bindings.findByIds(bindingIds);
    if (bindings.length) {
      for (const cluster of await this.clusters.all())
        if (bindings.some((binding) => targets(binding, cluster))) affected.add(cluster.id);
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
    const sorted = [...new Set(clusterIds)].sort();
    const published: string[] = [];
    for (let start = 0; start < sorted.length; start += CHUNK_SIZE)
      published.push(...(await this.publishChunkOrEach(sorted.slice(start, start + CHUNK_SIZE))));
    return published;
  }

  /** One cluster's failure must not hold back the others: a chunk that fails is retried cluster by cluster. */
  private async publishChunkOrEach(clusterIds: readonly string[]): Promise<string[]> {
    try {
      return await this.publishChunk(clusterIds);
    } catch (error) {
      if (clusterIds.length === 1) {
        this.failed(clusterIds[0]!, error);
        return [];
      }
      this.logger.warn(
        `recomputing ${clusterIds.length} clusters at once failed (${(error as Error).message}); retrying one by one`,
      );
      const published: string[] = [];
      for (const clusterId of clusterIds) published.push(...(await this.publishChunkOrEach([clusterId])));
      return published;
    }
  }

  private publishChunk(clusterIds: readonly string[]): Promise<string[]> {
    return this.db.transaction(async () => {
      // Locks first, snapshot after: a recompute that waited here reads everything the one
      // before it published, so no replica publishes an older desired set after a newer one.
      await this.states.lock(clusterIds);
      const byId = new Map((await this.clusters.byIds(clusterIds)).map((cluster) => [cluster.id, cluster]));
      const clusters = clusterIds.flatMap((id) => byId.get(id) ?? []);
      const plan = await this.plan(clusters);
      const states = await this.states.findMany(clusterIds);
      const changed: Array<{ state: AssignmentStateEntity; desired: DesiredSet }> = [];
      for (const cluster of clusters) {
        try {
          const { desired, documentHash } = await plan.desired(cluster);
          const previous = states.get(cluster.id);
          if (previous?.documentHash === documentHash) continue;
          const state = {
            clusterId: cluster.id,
            documentHash,
            revision: (previous?.revision ?? 0) + 1,
            bindingIds: desired.bindings.map((binding) => binding.bindingId),
            bundleDigests: [...new Set(desired.bindings.map((binding) => binding.bundleDigest))],
            publishedAt: new Date(),
          };
          changed.push({ state, desired });
        } catch (error) {
          this.failed(cluster.id, error);
        }
      }
      const outcomes = await settleBounded(changed, PUBLISH_CONCURRENCY, ({ state, desired }) =>
        this.sink.putAssignment(
          state.clusterId,
          AssignmentSchema.parse({ clusterId: state.clusterId, revision: state.revision, ...desired }),
        ),
      );
      const published = changed.flatMap(({ state }, index) => {
        const outcome = outcomes[index]!;
        if (outcome.status === 'fulfilled') return [state];
        this.failed(state.clusterId, outcome.reason);
        return [];
      });
      // Only what reached NATS is remembered; the next change retries the rest.
      await this.states.saveMany(published);
      return published.map((state) => state.clusterId);
    });
  }

  private failed(clusterId: string, error: unknown): void {
    this.logger.error(
      `publishing the assignment of cluster ${clusterId} failed: ${(error as Error).message}`,
    );
  }

  /** Reads the snapshot for these clusters (bindings, grants, tenants, candidate revisions) once. */
  private async plan(clusters: readonly ClusterView[]): Promise<DesiredPlan> {
    const bindings = (await this.bindings.all()).filter((binding) =>
      clusters.some((cluster) => targets(binding, cluster)),
    );
    const grants = new Map<string, Grant[]>();
    for (const grant of await this.grants.all()) {
      grants.set(grant.tenantId, [...(grants.get(grant.tenantId) ?? []), toPolicyGrant(grant)]);
    }
    const slugs = await this.tenants.slugsById([...new Set(bindings.map((binding) => binding.tenantId))]);
    const pinned = new Map(
      (await this.revisions.findScheduled(bindings.flatMap((binding) => binding.pinnedRevisionId ?? []))).map(
        (revision) => [revision.id, revision],
      ),
    );
    const pinnedOf = (binding: BindingEntity) =>
      binding.pinnedRevisionId ? pinned.get(binding.pinnedRevisionId) : undefined;
    const candidates = await this.revisions.deployableForBindings(
      bindings.filter((binding) => !pinnedOf(binding)).map((binding) => binding.id),
      FALLBACK_DEPTH,
    );
    for (const binding of bindings) {
      const revision = pinnedOf(binding);
      if (revision) candidates.set(binding.id, [revision]);
    }
    return new DesiredPlan({ bindings, grants, slugs, candidates }, (digest) => this.objectsOf(digest));
  }

  /** Every binding targeting the cluster, each at the newest revision the cluster's grants accept. */
  async desired(cluster: ClusterView): Promise<DesiredSet> {
    return (await (await this.plan([cluster])).desired(cluster)).desired;
  }

  /** The pinned revision, else the newest deployable one; either only if the grants accept it. */
  async acceptedRevision(
    binding: BindingEntity,
    grants: readonly Grant[],
    cluster: ClusterView,
  ): Promise<RevisionEntity | undefined> {
    return (await this.acceptedRevisions(binding, grants, [cluster])).get(cluster.id);
  }

  /**
   * `acceptedRevision` for many clusters (a binding's view lists every cluster it targets):
   * the candidates are read once, and clusters with the same labels share one answer.
   */
  async acceptedRevisions(
    binding: BindingEntity,
    grants: readonly Grant[],
    clusters: readonly ClusterView[],
  ): Promise<Map<string, RevisionEntity | undefined>> {
    const pinned = binding.pinnedRevisionId ? await this.revisions.findById(binding.pinnedRevisionId) : null;
    const candidates = pinned ? [pinned] : await this.revisions.deployable(binding.id, FALLBACK_DEPTH);
    const byLabels = new Map<string, Promise<RevisionEntity | undefined>>();
    const accepted = new Map<string, RevisionEntity | undefined>();
    for (const cluster of clusters) {
      const labels = canonicalJson(cluster.labels);
      let answer = byLabels.get(labels);
      if (!answer) {
        answer = firstFitting(candidates, limitsForCluster(grants, cluster.labels), (digest) =>
          this.objectsOf(digest),
        );
        byLabels.set(labels, answer);
      }
      accepted.set(cluster.id, await answer);
    }
    return accepted;
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
