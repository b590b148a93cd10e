/** The `scale` subresource (autoscaling/v1 Scale) of Deployments, StatefulSets and ReplicaSets. */
import { CallContext, KubeApi, PatchType } from './api.js';
import { errors } from './errors.js';
import { ResourceType } from './resource-registry.js';
import { isPlainObject, KubeObject } from './types.js';

/** The autoscaling/v1 Scale view of a workload. */
export function scaleOf(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const matchLabels = ((spec.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ??
    {}) as Record<string, string>;
  const m = obj.metadata!;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: {
      replicas: status.replicas ?? 0,
      selector: Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

/** Updates (PUT) or merge-patches the Scale view: only spec.replicas changes. */
export function updateScale(
  api: KubeApi,
  rt: ResourceType,
  version: string,
  ns: string | undefined,
  name: string,
  body: unknown,
  patchType: PatchType | undefined,
  ctx: CallContext,
): KubeObject {
  const live = api.get(rt, version, ns, name);
  const current = scaleOf(live);
  let scale: unknown = body;
  if (patchType === 'merge' || patchType === 'strategic') {
    scale = {
      ...current,
      spec: { ...(current.spec as object), ...((isPlainObject(body) && (body.spec as object)) || {}) },
    };
  } else if (patchType === 'json' || patchType === 'apply') {
    throw errors.unsupportedMediaType(`${patchType} patches of the scale subresource`);
  }
  const replicas = isPlainObject(scale) && isPlainObject(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number') throw errors.badRequest('spec.replicas is required');
  const r = api.patch(rt, version, ns, name, 'merge', { spec: { replicas } }, undefined, ctx);
  return scaleOf(r.object);
}
