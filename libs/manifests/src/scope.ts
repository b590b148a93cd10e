import { splitApiVersion } from './identify.js';
import { isRecord } from './validate-object.js';
import type { KubeObject } from './types.js';

/** `group/Kind` (`/Kind` for the core group) — how scope sets are keyed. */
export function groupKind(group: string, kind: string): string {
  return `${group}/${kind}`;
}

const BUILT_IN_CLUSTER_SCOPED = new Set<string>(
  Object.entries({
    '': ['Namespace', 'Node', 'PersistentVolume', 'ComponentStatus'],
    'rbac.authorization.k8s.io': ['ClusterRole', 'ClusterRoleBinding'],
    'apiextensions.k8s.io': ['CustomResourceDefinition'],
    'apiregistration.k8s.io': ['APIService'],
    'storage.k8s.io': ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'VolumeAttributesClass'],
    'scheduling.k8s.io': ['PriorityClass'],
    'networking.k8s.io': ['IngressClass', 'IPAddress', 'ServiceCIDR'],
    'admissionregistration.k8s.io': [
      'ValidatingWebhookConfiguration',
      'MutatingWebhookConfiguration',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'MutatingAdmissionPolicy',
      'MutatingAdmissionPolicyBinding',
    ],
    'certificates.k8s.io': ['CertificateSigningRequest', 'ClusterTrustBundle'],
    'node.k8s.io': ['RuntimeClass'],
    'flowcontrol.apiserver.k8s.io': ['FlowSchema', 'PriorityLevelConfiguration'],
    'resource.k8s.io': ['DeviceClass'],
    policy: ['PodSecurityPolicy'],
  }).flatMap(([group, kinds]) => kinds.map((kind) => groupKind(group, kind))),
);

/**
 * Whether a kind is cluster-scoped: built-in kinds from a fixed table, anything else only
 * when listed in `extraClusterScoped` (`group/Kind` keys, e.g. from CRDs or discovery).
 * Unknown custom kinds are assumed namespaced.
 */
export function isClusterScoped(
  kind: string,
  group: string,
  extraClusterScoped?: ReadonlySet<string>,
): boolean {
  const key = groupKind(group, kind);
  return BUILT_IN_CLUSTER_SCOPED.has(key) || (extraClusterScoped?.has(key) ?? false);
}

/** `group/Kind` keys of the cluster-scoped kinds that CRDs among `objects` define. */
export function clusterScopedKindsFromCrds(objects: readonly KubeObject[]): Set<string> {
  const kinds = new Set<string>();
  for (const object of objects) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    if (splitApiVersion(object.apiVersion).group !== 'apiextensions.k8s.io') continue;
    const spec = object.spec;
    if (!isRecord(spec) || spec.scope !== 'Cluster' || typeof spec.group !== 'string') continue;
    const names = spec.names;
    if (isRecord(names) && typeof names.kind === 'string') kinds.add(groupKind(spec.group, names.kind));
  }
  return kinds;
}

/** A scope test for one object set: built-ins, CRDs in the set, and any extra known kinds. */
export function scopeResolver(
  objects: readonly KubeObject[],
  extraClusterScoped: Iterable<string> = [],
): (object: KubeObject) => boolean {
  const known = new Set([...clusterScopedKindsFromCrds(objects), ...extraClusterScoped]);
  return (object) => isClusterScoped(object.kind, splitApiVersion(object.apiVersion).group, known);
}
