import { objectId, type KubeObject, type ObjectId } from '@flotilla/manifests';
import { applyObject, type ApplyOptions } from './apply.js';
import type { ChangeSetEntry } from './changeset.js';
import { systemClock, type Clock } from './clock.js';
import { diffObject, type DiffResult } from './diff.js';
import { Discovery } from './discovery.js';
import { pruneObject, type PruneOptions } from './delete.js';
import type { Identity, KubeClient } from './kube-client.js';
import { isNotFound } from './kube-errors.js';
import { DEFAULT_WAIT, waitForDeletion, waitForEstablished, type WaitOptions } from './wait.js';

/** The field manager under which every Flotilla write is recorded in `managedFields`. */
export const FIELD_MANAGER = 'flotilla';

/**
 * Server-side apply, diff, prune and wait on one cluster (after Flux's ssa.ResourceManager).
 * The low-level calls (`get`, `serverSideApply`, `remove`) are here; each verb lives in its
 * own file and returns data (ChangeSetEntry / DiffResult), never throws for one object.
 */
export class ResourceManager {
  constructor(
    readonly client: KubeClient,
    readonly discovery: Discovery = new Discovery(client),
    readonly clock: Clock = systemClock,
    readonly waitOptions: WaitOptions = DEFAULT_WAIT,
  ) {}

  /** The same cluster acting as `identity`; discovery stays shared (it is identity-independent). */
  as(identity: Identity): ResourceManager {
    return new ResourceManager(
      this.client.impersonating(identity),
      this.discovery,
      this.clock,
      this.waitOptions,
    );
  }

  async get(id: ObjectId): Promise<KubeObject | undefined> {
    try {
      return await this.client.request<KubeObject>({ method: 'GET', path: await this.discovery.pathOf(id) });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Server-side apply as field manager `flotilla` with `force=true`: Git is the source of
   * truth for every field Flotilla applies, so a field another manager took over (a
   * `kubectl edit`, a controller) is taken back instead of failing the sync with a 409
   * conflict. Fields Flotilla does not set stay with their owners.
   */
  async serverSideApply(object: KubeObject, options: { dryRun?: boolean } = {}): Promise<KubeObject> {
    return this.client.request<KubeObject>({
      method: 'PATCH',
      path: await this.discovery.pathOf(objectId(object)),
      query: { fieldManager: FIELD_MANAGER, force: 'true', dryRun: options.dryRun ? 'All' : undefined },
      // JSON is YAML, and the API server's apply endpoint accepts only the apply-patch types.
      contentType: 'application/apply-patch+yaml',
      body: object,
    });
  }

  /** Deletes with background propagation (dependents go after the owner); gone already is fine. */
  async remove(id: ObjectId): Promise<void> {
    try {
      await this.client.request({
        method: 'DELETE',
        path: await this.discovery.pathOf(id),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  apply(object: KubeObject, options: ApplyOptions = {}): Promise<ChangeSetEntry> {
    return applyObject(this, object, options);
  }

  diff(object: KubeObject): Promise<DiffResult> {
    return diffObject(this, object);
  }

  delete(id: ObjectId, options: PruneOptions): Promise<ChangeSetEntry> {
    return pruneObject(this, id, options);
  }

  waitForEstablished(crd: KubeObject): Promise<void> {
    return waitForEstablished(this, crd, this.waitOptions);
  }

  waitForDeletion(id: ObjectId): Promise<void> {
    return waitForDeletion(this, id, this.waitOptions);
  }
}
