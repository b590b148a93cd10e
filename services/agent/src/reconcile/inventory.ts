import { objectId, objectKey, type KubeObject, type ObjectId } from '@flotilla/manifests';

/**
 * What one binding has applied to the cluster (after kustomize-controller's inventory):
 * exactly the objects Flotilla may later prune for it, plus the digest last applied.
 */
export interface Inventory {
  bindingId: string;
  tenant: string;
  /** Digest of the bundle last applied; undefined before the first apply. */
  appliedDigest?: string;
  commit?: string;
  entries: ObjectId[];
}

export function emptyInventory(bindingId: string, tenant: string): Inventory {
  return { bindingId, tenant, entries: [] };
}

/** Entries of `previous` that are not among the desired objects (version-insensitive), in stable order. */
export function staleEntries(previous: Inventory, desired: readonly KubeObject[]): ObjectId[] {
  const wanted = new Set(desired.map((object) => objectKey(object)));
  return previous.entries.filter((entry) => !wanted.has(objectKey(entry)));
}

/**
 * The inventory after a sync: every desired object (also those that failed to apply — they
 * may exist from an earlier sync), plus stale objects whose prune failed or was not done,
 * so a later reconcile retries them. `applied` is the bundle now fully applied; without it
 * the previous digest stays, so the bundle is applied again next time. Sorted by key, so an
 * unchanged inventory serialises identically.
 */
export function nextInventory(
  previous: Inventory,
  desired: readonly KubeObject[],
  kept: readonly ObjectId[],
  applied?: { digest: string; commit: string },
): Inventory {
  const byKey = new Map<string, ObjectId>();
  for (const entry of kept) byKey.set(objectKey(entry), entry);
  for (const object of desired) byKey.set(objectKey(object), objectId(object));
  const digest = applied ? { appliedDigest: applied.digest, commit: applied.commit } : pickDigest(previous);
  return {
    bindingId: previous.bindingId,
    tenant: previous.tenant,
    ...digest,
    entries: [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id),
  };
}

function pickDigest({ appliedDigest, commit }: Inventory): Pick<Inventory, 'appliedDigest' | 'commit'> {
  return {
    ...(appliedDigest !== undefined && { appliedDigest }),
    ...(commit !== undefined && { commit }),
  };
}

/** A minimal object for an inventory entry, so the manifests library can sort entries for prune. */
export function stubObject(id: ObjectId): KubeObject {
  return {
    apiVersion: id.group === '' ? id.version : `${id.group}/${id.version}`,
    kind: id.kind,
    metadata: id.namespace ? { name: id.name, namespace: id.namespace } : { name: id.name },
  };
}
