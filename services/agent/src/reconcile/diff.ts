import { diffObjects, objectId, type Drift, type KubeObject } from '@flotilla/manifests';
import { entryFor, type ChangeSetEntry } from './changeset.js';
import { describeError } from './kube-errors.js';
import type { ResourceManager } from './resource-manager.js';

export interface DiffResult {
  /** The object on the cluster; undefined when it does not exist. */
  live?: KubeObject;
  /** What the live object would become if the desired state were applied now (server dry run). */
  merged?: KubeObject;
  /** Differences between `merged` and `live`; empty when the object is in its desired state. */
  drift: Drift[];
}

/**
 * Drift of one object: the server-side dry-run apply of the desired state against the live
 * object. The dry run merges exactly like a real apply — defaults, value normalisation and
 * fields of other managers included — so only fields Flotilla applies can differ.
 */
export async function diffObject(manager: ResourceManager, desired: KubeObject): Promise<DiffResult> {
  const live = await manager.get(objectId(desired));
  if (!live) return { drift: [] };
  const merged = await manager.serverSideApply(desired, { dryRun: true });
  return { live, merged, drift: driftBetween(merged, live) };
}

// Written by the API server on every write; a dry run already shows new values for them.
const VOLATILE_METADATA = ['managedFields', 'resourceVersion', 'generation'];

/**
 * Fields that differ between the merged (would-be) object and the live one, in both
 * directions: changed or missing on the live side, and present on the live side although
 * the merge would remove them (a field dropped from Git). Secret values are redacted.
 */
export function driftBetween(merged: KubeObject, live: KubeObject): Drift[] {
  const want = comparable(merged);
  const have = comparable(live);
  const changed = diffObjects(want, have);
  const extra = diffObjects(have, want)
    .filter((drift) => drift.live === undefined)
    .map((drift) => ({ path: drift.path, desired: undefined, live: drift.desired }));
  return [...changed, ...extra];
}

function comparable(object: KubeObject): KubeObject {
  const metadata = { ...object.metadata };
  for (const field of VOLATILE_METADATA) delete metadata[field];
  return { ...object, metadata };
}

/**
 * The report-only form of apply (sync not automated, suspended, or no self-heal): what
 * differs from Git, without changing anything. A missing object is drift too.
 */
export async function observeObject(manager: ResourceManager, desired: KubeObject): Promise<ChangeSetEntry> {
  try {
    const { live, drift } = await manager.diff(desired);
    if (!live) return entryFor(desired, 'drifted', { message: 'object does not exist on the cluster' });
    return entryFor(
      desired,
      drift.length === 0 ? 'unchanged' : 'drifted',
      drift.length === 0 ? { live } : { live, drift },
    );
  } catch (error) {
    return entryFor(desired, 'failed', { message: describeError(error) });
  }
}
