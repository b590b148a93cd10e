import { BINDING_LABEL, type KubeObject, type ObjectId } from '@flotilla/manifests';
import { entryFor, type ChangeSetEntry } from './changeset.js';
import { describeError } from './kube-errors.js';
import type { ResourceManager } from './resource-manager.js';

/** `flotilla.dev/prune: disabled` on a live object keeps it when it leaves Git (orphaned). */
export const PRUNE_ANNOTATION = 'flotilla.dev/prune';

export interface PruneOptions {
  /** The binding that must own the object: anything else is never deleted. */
  bindingId: string;
}

/**
 * Prunes one object the binding applied before. Re-reads it first, so the decision is made
 * on the live labels and annotations, not on what the inventory remembers.
 */
export async function pruneObject(
  manager: ResourceManager,
  id: ObjectId,
  options: PruneOptions,
): Promise<ChangeSetEntry> {
  try {
    const live = await manager.get(id);
    if (!live) return entryFor(id, 'skipped', { message: 'already deleted' });
    const refusal = pruneRefusal(live, options.bindingId);
    if (refusal) return entryFor(id, 'skipped', { message: refusal, live });
    if (!live.metadata.deletionTimestamp) await manager.remove(id);
    return entryFor(id, 'pruned');
  } catch (error) {
    return entryFor(id, 'failed', { message: describeError(error) });
  }
}

/** Why a live object must not be deleted by this binding, or undefined when it may be. */
export function pruneRefusal(live: KubeObject, bindingId: string): string | undefined {
  const owner = live.metadata.labels?.[BINDING_LABEL];
  if (owner !== bindingId)
    return owner === undefined ? 'not owned by Flotilla' : `owned by another binding (${owner})`;
  if (live.metadata.annotations?.[PRUNE_ANNOTATION] === 'disabled')
    return `pruning disabled by ${PRUNE_ANNOTATION}`;
  return undefined;
}
