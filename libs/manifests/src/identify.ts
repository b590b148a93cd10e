import type { KubeObject, ObjectId } from './types.js';

/** Splits `apiVersion` into group and version (`v1` is the core group, `''`). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function objectId(object: KubeObject): ObjectId {
  const { group, version } = splitApiVersion(object.apiVersion);
  const id: ObjectId = { group, version, kind: object.kind, name: object.metadata.name };
  if (object.metadata.namespace) id.namespace = object.metadata.namespace;
  return id;
}

/**
 * Stable string key `group/kind/namespace/name` (empty segments for the core group and for
 * cluster-scoped objects). The version is left out: one object served at two versions is
 * still one object.
 */
export function objectKey(target: KubeObject | ObjectId): string {
  const id = 'apiVersion' in target ? objectId(target) : target;
  return `${id.group}/${id.kind}/${id.namespace ?? ''}/${id.name}`;
}
