import { splitApiVersion } from './identify.js';
import { groupKind, scopeResolver } from './scope.js';
import type { KubeObject } from './types.js';

// Groups served by the API server itself; any other group is a custom resource and waits
// until everything built-in (its CRD included) has been applied.
const BUILT_IN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

const rank = (group: string, kinds: string[]) => kinds.map((kind) => groupKind(group, kind));

/**
 * Apply classes in order (after Flux's ssa/sort.go and Helm's install order). Webhook
 * configurations and APIServices come after the namespaced built-ins: applied earlier, a
 * webhook whose Service is not running yet would reject every later object.
 */
const CLASSES: string[][] = [
  rank('apiextensions.k8s.io', ['CustomResourceDefinition']),
  rank('', ['Namespace']),
  rank('rbac.authorization.k8s.io', ['ClusterRole']),
  rank('rbac.authorization.k8s.io', ['ClusterRoleBinding']),
  ['<other cluster-scoped>'],
  rank('', ['ResourceQuota', 'LimitRange']),
  rank('', ['ServiceAccount']),
  rank('rbac.authorization.k8s.io', ['Role']),
  rank('rbac.authorization.k8s.io', ['RoleBinding']),
  rank('', ['ConfigMap', 'Secret']),
  rank('', ['PersistentVolumeClaim']),
  rank('', ['Service']),
  [
    ...rank('apps', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']),
    ...rank('', ['Pod', 'ReplicationController']),
    ...rank('batch', ['Job', 'CronJob']),
  ],
  ['<other namespaced>'],
  [
    ...rank('admissionregistration.k8s.io', [
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
    ]),
    ...rank('apiregistration.k8s.io', ['APIService']),
  ],
  ['<custom resource>'],
];

const CLASS_OF = new Map(CLASSES.flatMap((keys, index) => keys.map((key) => [key, index] as const)));
const classIndex = (name: string): number => CLASS_OF.get(name)!;

/**
 * Orders objects for server-side apply: CRDs, Namespaces, other cluster-scoped objects
 * (ClusterRoles first), namespaced objects by dependency, custom resources last. The sort
 * is stable: objects of one class keep their input order.
 */
export function sortForApply<T extends KubeObject>(
  objects: readonly T[],
  extraClusterScoped?: Iterable<string>,
): T[] {
  const classOf = applyClassifier(objects, extraClusterScoped);
  return objects
    .map((object, index) => ({ object, index, rank: classOf(object) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ object }) => object);
}

/** The reverse of the apply order: custom resources first, their CRDs and namespaces last. */
export function sortForPrune<T extends KubeObject>(
  objects: readonly T[],
  extraClusterScoped?: Iterable<string>,
): T[] {
  return sortForApply(objects, extraClusterScoped).reverse();
}

/** A function giving each object its apply class (lower applies first). */
export function applyClassifier(
  objects: readonly KubeObject[],
  extraClusterScoped?: Iterable<string>,
): (object: KubeObject) => number {
  const isClusterScoped = scopeResolver(objects, extraClusterScoped);
  return (object) => {
    const { group } = splitApiVersion(object.apiVersion);
    const known = CLASS_OF.get(groupKind(group, object.kind));
    if (known !== undefined) return known;
    if (!BUILT_IN_GROUPS.has(group)) return classIndex('<custom resource>');
    return classIndex(isClusterScoped(object) ? '<other cluster-scoped>' : '<other namespaced>');
  };
}
