/**
 * The kinds an instance serves: the built-in ones (shared, immutable) plus the custom
 * resources registered at run time by CustomResourceDefinitions.
 */
import { builtinSchemas, defaultObjectSchema, SchemaNode, schemaFromOpenAPI } from './schema.js';
import { isPlainObject, KubeObject } from './types.js';

export interface ResourceType {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources besides the object itself (`status`, `scale`, `token`). */
  subresources: string[];
  /** metadata.generation is set and bumped on changes outside metadata and status. */
  generation: boolean;
  schema: SchemaNode;
  /** Create-only review kinds (SelfSubjectAccessReview …): nothing is stored. */
  virtual?: boolean;
  /** Name of the CustomResourceDefinition that defines it. */
  crd?: string;
  /** Top-level fields a valid object may carry (strict validation); undefined: anything. */
  topLevelFields?: string[];
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface BuiltinSpec {
  gv: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  subresources?: string[];
  generation?: boolean;
  categories?: string[];
  fields?: string[];
  virtual?: boolean;
}

const specStatus = ['spec', 'status'];
const builtinSpecs: BuiltinSpec[] = [
  {
    gv: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    fields: specStatus,
  },
  {
    gv: 'v1',
    resource: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    fields: ['data', 'binaryData', 'immutable'],
  },
  {
    gv: 'v1',
    resource: 'secrets',
    kind: 'Secret',
    namespaced: true,
    fields: ['data', 'stringData', 'type', 'immutable'],
  },
  {
    gv: 'v1',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    subresources: ['token'],
    fields: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  },
  {
    gv: 'v1',
    resource: 'services',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    subresources: ['status'],
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'v1',
    resource: 'pods',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    subresources: ['status'],
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'v1',
    resource: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    shortNames: ['pvc'],
    subresources: ['status'],
    fields: specStatus,
  },
  {
    gv: 'v1',
    resource: 'persistentvolumes',
    kind: 'PersistentVolume',
    namespaced: false,
    shortNames: ['pv'],
    subresources: ['status'],
    fields: specStatus,
  },
  { gv: 'v1', resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'] },
  {
    gv: 'v1',
    resource: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    shortNames: ['ep'],
    fields: ['subsets'],
  },
  {
    gv: 'v1',
    resource: 'resourcequotas',
    kind: 'ResourceQuota',
    namespaced: true,
    shortNames: ['quota'],
    subresources: ['status'],
    fields: specStatus,
  },
  {
    gv: 'v1',
    resource: 'limitranges',
    kind: 'LimitRange',
    namespaced: true,
    shortNames: ['limits'],
    fields: ['spec'],
  },
  {
    gv: 'v1',
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    fields: specStatus,
  },
  {
    gv: 'apps/v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    subresources: ['status', 'scale'],
    generation: true,
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'apps/v1',
    resource: 'statefulsets',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    subresources: ['status', 'scale'],
    generation: true,
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'apps/v1',
    resource: 'daemonsets',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    subresources: ['status'],
    generation: true,
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'apps/v1',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    subresources: ['status', 'scale'],
    generation: true,
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'batch/v1',
    resource: 'jobs',
    kind: 'Job',
    namespaced: true,
    subresources: ['status'],
    generation: true,
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'batch/v1',
    resource: 'cronjobs',
    kind: 'CronJob',
    namespaced: true,
    shortNames: ['cj'],
    subresources: ['status'],
    generation: true,
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'autoscaling/v2',
    resource: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    subresources: ['status'],
    categories: ['all'],
    fields: specStatus,
  },
  {
    gv: 'policy/v1',
    resource: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
    generation: true,
    fields: specStatus,
  },
  {
    gv: 'networking.k8s.io/v1',
    resource: 'ingresses',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    subresources: ['status'],
    generation: true,
    fields: specStatus,
  },
  {
    gv: 'networking.k8s.io/v1',
    resource: 'ingressclasses',
    kind: 'IngressClass',
    namespaced: false,
    fields: ['spec'],
  },
  {
    gv: 'networking.k8s.io/v1',
    resource: 'networkpolicies',
    kind: 'NetworkPolicy',
    namespaced: true,
    shortNames: ['netpol'],
    generation: true,
    fields: ['spec'],
  },
  {
    gv: 'storage.k8s.io/v1',
    resource: 'storageclasses',
    kind: 'StorageClass',
    namespaced: false,
    shortNames: ['sc'],
    fields: [
      'provisioner',
      'parameters',
      'reclaimPolicy',
      'mountOptions',
      'allowVolumeExpansion',
      'volumeBindingMode',
      'allowedTopologies',
    ],
  },
  {
    gv: 'scheduling.k8s.io/v1',
    resource: 'priorityclasses',
    kind: 'PriorityClass',
    namespaced: false,
    shortNames: ['pc'],
    fields: ['value', 'globalDefault', 'description', 'preemptionPolicy'],
  },
  {
    gv: 'rbac.authorization.k8s.io/v1',
    resource: 'roles',
    kind: 'Role',
    namespaced: true,
    fields: ['rules'],
  },
  {
    gv: 'rbac.authorization.k8s.io/v1',
    resource: 'rolebindings',
    kind: 'RoleBinding',
    namespaced: true,
    fields: ['subjects', 'roleRef'],
  },
  {
    gv: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterroles',
    kind: 'ClusterRole',
    namespaced: false,
    fields: ['rules', 'aggregationRule'],
  },
  {
    gv: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
    fields: ['subjects', 'roleRef'],
  },
  {
    gv: 'apiextensions.k8s.io/v1',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    subresources: ['status'],
    generation: true,
    categories: ['api-extensions'],
    fields: specStatus,
  },
  { gv: 'coordination.k8s.io/v1', resource: 'leases', kind: 'Lease', namespaced: true, fields: ['spec'] },
  {
    gv: 'authorization.k8s.io/v1',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    virtual: true,
  },
  {
    gv: 'authorization.k8s.io/v1',
    resource: 'selfsubjectrulesreviews',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    virtual: true,
  },
  {
    gv: 'authorization.k8s.io/v1',
    resource: 'subjectaccessreviews',
    kind: 'SubjectAccessReview',
    namespaced: false,
    virtual: true,
  },
  {
    gv: 'authorization.k8s.io/v1',
    resource: 'localsubjectaccessreviews',
    kind: 'LocalSubjectAccessReview',
    namespaced: true,
    virtual: true,
  },
  {
    gv: 'authentication.k8s.io/v1',
    resource: 'selfsubjectreviews',
    kind: 'SelfSubjectReview',
    namespaced: false,
    virtual: true,
  },
  {
    gv: 'authentication.k8s.io/v1',
    resource: 'tokenreviews',
    kind: 'TokenReview',
    namespaced: false,
    virtual: true,
  },
];

function splitGV(gv: string): [string, string] {
  const slash = gv.indexOf('/');
  return slash < 0 ? ['', gv] : [gv.slice(0, slash), gv.slice(slash + 1)];
}

function singularOf(kind: string): string {
  return kind.toLowerCase();
}

const BUILTINS: readonly ResourceType[] = builtinSpecs.map((s) => {
  const [group, version] = splitGV(s.gv);
  return Object.freeze({
    group,
    versions: [version],
    resource: s.resource,
    singular: singularOf(s.kind),
    kind: s.kind,
    listKind: `${s.kind}List`,
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    verbs: s.virtual ? ['create'] : ALL_VERBS,
    subresources: s.subresources ?? [],
    generation: s.generation ?? false,
    schema: builtinSchemas[`${group}/${s.kind}`] ?? defaultObjectSchema,
    virtual: s.virtual,
    topLevelFields: s.fields ? ['apiVersion', 'kind', 'metadata', ...s.fields] : undefined,
  } satisfies ResourceType);
});

const BUILTIN_BY_GR = new Map(BUILTINS.map((t) => [`${t.group}/${t.resource}`, t]));

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (!pa && !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (!pa) return 1;
  if (!pb) return -1;
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return 0;
}

export interface GroupInfo {
  group: string;
  versions: string[];
}

export class ResourceRegistry {
  private readonly custom = new Map<string, ResourceType>();
  /** Bumped on every change, so discovery answers can be cached. */
  generation = 0;

  all(): ResourceType[] {
    return this.custom.size ? [...BUILTINS, ...this.custom.values()] : (BUILTINS as ResourceType[]);
  }

  /** By group and plural resource name, any version. */
  get(group: string, resource: string): ResourceType | undefined {
    return BUILTIN_BY_GR.get(`${group}/${resource}`) ?? this.custom.get(`${group}/${resource}`);
  }

  /** By group, version and plural resource name (the version must be served). */
  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    const t = this.get(group, resource);
    return t && t.versions.includes(version) ? t : undefined;
  }

  groups(): GroupInfo[] {
    const byGroup = new Map<string, Set<string>>();
    for (const t of this.all()) {
      let set = byGroup.get(t.group);
      if (!set) byGroup.set(t.group, (set = new Set()));
      for (const v of t.versions) set.add(v);
    }
    return [...byGroup].map(([group, versions]) => ({
      group,
      versions: [...versions].sort(compareKubeVersions),
    }));
  }

  resourcesIn(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.versions.includes(version));
  }

  /** Registers (or re-registers) the kind a CRD defines. Returns the new type. */
  registerCRD(crd: KubeObject): ResourceType {
    const t = resourceTypeFromCRD(crd);
    for (const [key, old] of this.custom) if (old.crd === t.crd) this.custom.delete(key);
    this.custom.set(`${t.group}/${t.resource}`, t);
    this.generation++;
    return t;
  }

  unregisterCRD(crdName: string): ResourceType | undefined {
    for (const [key, t] of this.custom) {
      if (t.crd === crdName) {
        this.custom.delete(key);
        this.generation++;
        return t;
      }
    }
    return undefined;
  }
}

export function resourceTypeFromCRD(crd: KubeObject): ResourceType {
  const spec = (crd.spec ?? {}) as Record<string, unknown>;
  const names = (spec.names ?? {}) as Record<string, unknown>;
  const versions = (Array.isArray(spec.versions) ? spec.versions : []) as Record<string, unknown>[];
  const served = versions.filter((v) => v.served !== false).map((v) => String(v.name));
  const storage = versions.find((v) => v.storage) ?? versions[0] ?? {};
  const subresources = isPlainObject(storage.subresources) ? Object.keys(storage.subresources) : [];
  const openapi = isPlainObject(storage.schema) ? storage.schema.openAPIV3Schema : undefined;
  const kind = String(names.kind ?? '');
  return {
    group: String(spec.group ?? ''),
    versions: served.sort(compareKubeVersions),
    resource: String(names.plural ?? ''),
    singular: String(names.singular ?? kind.toLowerCase()),
    kind,
    listKind: String(names.listKind ?? `${kind}List`),
    namespaced: spec.scope !== 'Cluster',
    shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
    categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
    verbs: ALL_VERBS,
    subresources: subresources.filter((s) => s === 'status' || s === 'scale'),
    generation: true,
    schema: schemaFromOpenAPI(openapi),
    crd: crd.metadata?.name,
    topLevelFields: topLevelFieldsOf(openapi),
  };
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Top-level fields a custom resource may carry, when its schema says (not with preserve-unknown-fields). */
function topLevelFieldsOf(openapi: unknown): string[] | undefined {
  if (!isPlainObject(openapi) || openapi['x-kubernetes-preserve-unknown-fields'] === true) return undefined;
  if (!isPlainObject(openapi.properties)) return undefined;
  return [...new Set(['apiVersion', 'kind', 'metadata', ...Object.keys(openapi.properties)])];
}
