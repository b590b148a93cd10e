import { objectId, type KubeObject } from '@flotilla/manifests';
import { entryFor, type ChangeSetEntry } from './changeset.js';
import { describeError, isImmutableFieldError } from './kube-errors.js';
import type { ResourceManager } from './resource-manager.js';

export interface ApplyOptions {
  /** Delete and re-create an object whose change touches an immutable field (the binding's force policy). */
  recreate?: boolean;
}

/**
 * Applies one object and says what happened. A server-side dry-run apply is compared with
 * the live object first, so an object already in its desired state costs two reads and no
 * write (`unchanged`); only a difference leads to the real apply (`configured`).
 */
export async function applyObject(
  manager: ResourceManager,
  desired: KubeObject,
  options: ApplyOptions,
): Promise<ChangeSetEntry> {
  try {
    const { live, drift } = await manager.diff(desired);
    if (!live) return entryFor(desired, 'created', { live: await manager.serverSideApply(desired) });
    if (drift.length === 0) return entryFor(desired, 'unchanged', { live });
    return entryFor(desired, 'configured', { drift, live: await manager.serverSideApply(desired) });
  } catch (error) {
    if (options.recreate && isImmutableFieldError(error)) return recreate(manager, desired, error);
    return entryFor(desired, 'failed', { message: describeError(error) });
  }
}

async function recreate(
  manager: ResourceManager,
  desired: KubeObject,
  cause: unknown,
): Promise<ChangeSetEntry> {
  const id = objectId(desired);
  try {
    await manager.remove(id);
    await manager.waitForDeletion(id);
    const live = await manager.serverSideApply(desired);
    return entryFor(desired, 'configured', { live, message: `recreated: ${describeError(cause)}` });
  } catch (error) {
    return entryFor(desired, 'failed', { message: `recreate failed: ${describeError(error)}` });
  }
}
