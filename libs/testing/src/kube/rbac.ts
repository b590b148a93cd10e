/**
 * RBAC authorization over the Role, ClusterRole, RoleBinding and ClusterRoleBinding objects
 * of one instance, with Kubernetes' escalation prevention (a role or binding may only grant
 * what its author already holds, unless they may `escalate` / `bind`).
 */
import { matchesLabelSelectorObject } from './selectors.js';
import { ObjectStore } from './store.js';
import { KubeObject, UserInfo } from './types.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests: the URL path. */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const RBAC = 'rbac.authorization.k8s.io';
export const GR_ROLES = `${RBAC}/roles`;
export const GR_CLUSTERROLES = `${RBAC}/clusterroles`;
export const GR_ROLEBINDINGS = `${RBAC}/rolebindings`;
export const GR_CLUSTERROLEBINDINGS = `${RBAC}/clusterrolebindings`;

export const MASTERS_GROUP = 'system:masters';
export const SA_PREFIX = 'system:serviceaccount:';

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return !!s.name && user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return user.name === `${SA_PREFIX}${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

const has = (list: string[] | undefined, value: string) =>
  !!list && (list.includes('*') || list.includes(value));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const resources = rule.resources ?? [];
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of resources) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
    if (subresource && r === `${resource}/*`) return true;
  }
  return false;
}

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    const path = a.path ?? '';
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))),
    );
  }
  if (!has(rule.apiGroups, a.apiGroup ?? '')) return false;
  if (!resourceMatches(rule, a.resource ?? '', a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return !!a.name && names.includes(a.name);
}

function describe(a: Attributes): string {
  if (!a.resourceRequest) return `User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup ?? ''}" ${scope}`;
}

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  private clusterRoleRules(name: string): PolicyRule[] | undefined {
    const role = this.store.get(GR_CLUSTERROLES, undefined, name);
    if (!role) return undefined;
    const rules = [...((role.rules as PolicyRule[] | undefined) ?? [])];
    const agg = role.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
    if (agg?.clusterRoleSelectors?.length) {
      for (const other of this.store.scan(GR_CLUSTERROLES)) {
        if (other === role) continue;
        if (agg.clusterRoleSelectors.some((sel) => matchesLabelSelectorObject(sel, other.metadata?.labels))) {
          rules.push(...((other.rules as PolicyRule[] | undefined) ?? []));
        }
      }
    }
    return rules;
  }

  /** Rules of the role a binding refers to, or undefined when that role does not exist. */
  roleRefRules(
    roleRef: { kind?: string; name?: string } | undefined,
    namespace: string | undefined,
  ): PolicyRule[] | undefined {
    if (!roleRef?.name) return undefined;
    if (roleRef.kind === 'ClusterRole') return this.clusterRoleRules(roleRef.name);
    if (roleRef.kind === 'Role' && namespace) {
      return (
        (this.store.get(GR_ROLES, namespace, roleRef.name)?.rules as PolicyRule[] | undefined) ?? undefined
      );
    }
    return undefined;
  }

  /** Visits the rules that apply to `user` in `namespace` (cluster-wide ones always); stop by returning true. */
  private visitRules(
    user: UserInfo,
    namespace: string | undefined,
    visit: (rule: PolicyRule) => boolean,
  ): boolean {
    for (const b of this.store.scan(GR_CLUSTERROLEBINDINGS)) {
      if (!bindingApplies(b, user, undefined)) continue;
      for (const rule of this.roleRefRules(b.roleRef as never, undefined) ?? []) if (visit(rule)) return true;
    }
    if (namespace) {
      for (const b of this.store.scan(GR_ROLEBINDINGS, namespace)) {
        if (!bindingApplies(b, user, namespace)) continue;
        for (const rule of this.roleRefRules(b.roleRef as never, namespace) ?? [])
          if (visit(rule)) return true;
      }
    }
    return false;
  }

  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: '' };
    const allowed = this.visitRules(a.user, a.resourceRequest ? a.namespace : undefined, (rule) =>
      ruleAllows(rule, a),
    );
    return { allowed, reason: allowed ? '' : describe(a) };
  }

  /** Every rule that applies to `user` in `namespace` (SelfSubjectRulesReview). */
  rulesFor(user: UserInfo, namespace: string | undefined): PolicyRule[] {
    if (user.groups.includes(MASTERS_GROUP)) {
      return [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ];
    }
    const out: PolicyRule[] = [];
    this.visitRules(user, namespace, (rule) => {
      out.push(rule);
      return false;
    });
    return out;
  }

  /**
   * Escalation check: undefined when `user` may grant `rules` in `namespace` (holds every
   * permission in them), else the first rule it does not cover.
   */
  uncovered(user: UserInfo, namespace: string | undefined, rules: PolicyRule[]): PolicyRule | undefined {
    if (user.groups.includes(MASTERS_GROUP)) return undefined;
    const owner = this.rulesFor(user, namespace);
    for (const rule of rules) {
      for (const atom of breakdown(rule)) if (!owner.some((o) => ruleCovers(o, atom))) return atom;
    }
    return undefined;
  }
}

function bindingApplies(b: KubeObject, user: UserInfo, namespace: string | undefined): boolean {
  const subjects = (b.subjects as Subject[] | undefined) ?? [];
  return subjects.some((s) => subjectMatches(s, user, namespace));
}

/** Splits a rule into rules of one verb, group, resource and name each (as Kubernetes' validation.Covers does). */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
        for (const name of names) {
          out.push({
            verbs: [verb],
            apiGroups: [group],
            resources: [resource],
            ...(name ? { resourceNames: [name] } : {}),
          });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? [])
    for (const verb of rule.verbs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
  return out;
}

const hasAll = (owner: string[] | undefined, wanted: string[] | undefined) =>
  (wanted ?? []).every((w) => (owner ?? []).includes(w));

function resourceCovers(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  const o = owner ?? [];
  if (o.includes('*')) return true;
  return (wanted ?? []).every((w) => {
    if (o.includes(w)) return true;
    const slash = w.indexOf('/');
    if (slash > 0 && o.includes(`*${w.slice(slash)}`)) return true;
    return false;
  });
}

function urlCovers(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  const o = owner ?? [];
  return (wanted ?? []).every((w) =>
    o.some((u) => u === '*' || u === w || (u.endsWith('*') && w.startsWith(u.slice(0, -1)))),
  );
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = (owner.verbs ?? []).includes('*') || hasAll(owner.verbs, sub.verbs);
  const groups = (owner.apiGroups ?? []).includes('*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCovers(owner.resources, sub.resources);
  const urls = urlCovers(owner.nonResourceURLs, sub.nonResourceURLs);
  const names = sub.resourceNames?.length
    ? !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames)
    : !owner.resourceNames?.length;
  if (sub.nonResourceURLs?.length) return verbs && urls;
  return verbs && groups && resources && names;
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const ALL = [...READ, ...WRITE];

const workloadRules = (verbs: string[], withSecrets: boolean): PolicyRule[] => [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/status',
      'services',
      'services/status',
      'configmaps',
      'serviceaccounts',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'endpoints',
      'events',
      ...(withSecrets ? ['secrets'] : []),
    ],
    verbs,
  },
  {
    apiGroups: ['apps'],
    resources: [
      'deployments',
      'deployments/scale',
      'deployments/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
      'daemonsets',
      'daemonsets/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
    ],
    verbs,
  },
  { apiGroups: ['batch'], resources: ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status'], verbs },
  {
    apiGroups: ['autoscaling'],
    resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
    verbs,
  },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['ingresses', 'ingresses/status', 'networkpolicies'],
    verbs,
  },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs },
];

const meta = (name: string, labels?: Record<string, string>) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
});

/** The default cluster roles and bindings every Kubernetes cluster has (simplified rule lists). */
export function defaultRbacObjects(): { gr: string; object: KubeObject }[] {
  const roles: KubeObject[] = [
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: meta('cluster-admin'),
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: meta('admin'),
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }],
      },
      rules: [
        ...workloadRules(ALL, true),
        { apiGroups: [RBAC], resources: ['roles', 'rolebindings'], verbs: ALL },
        { apiGroups: [''], resources: ['namespaces', 'resourcequotas', 'limitranges'], verbs: READ },
        { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
        { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
      ],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: meta('edit', { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }),
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } }],
      },
      rules: [
        ...workloadRules(ALL, true),
        { apiGroups: [''], resources: ['namespaces', 'resourcequotas', 'limitranges'], verbs: READ },
        { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
      ],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: meta('view', { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }),
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }],
      },
      rules: [
        ...workloadRules(READ, false),
        { apiGroups: [''], resources: ['namespaces', 'resourcequotas', 'limitranges'], verbs: READ },
      ],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: meta('system:discovery'),
      rules: [
        {
          nonResourceURLs: [
            '/api',
            '/api/*',
            '/apis',
            '/apis/*',
            '/healthz',
            '/livez',
            '/readyz',
            '/version',
            '/version/',
            '/openapi',
            '/openapi/*',
          ],
          verbs: ['get'],
        },
      ],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: meta('system:basic-user'),
      rules: [
        {
          apiGroups: ['authorization.k8s.io'],
          resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
          verbs: ['create'],
        },
        { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
      ],
    },
  ];
  const bindings: KubeObject[] = [
    binding('cluster-admin', 'cluster-admin', [{ kind: 'Group', apiGroup: RBAC, name: MASTERS_GROUP }]),
    binding('system:discovery', 'system:discovery', [
      { kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' },
    ]),
    binding('system:basic-user', 'system:basic-user', [
      { kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' },
    ]),
  ];
  return [
    ...roles.map((object) => ({ gr: GR_CLUSTERROLES, object })),
    ...bindings.map((object) => ({ gr: GR_CLUSTERROLEBINDINGS, object })),
  ];
}

function binding(name: string, role: string, subjects: Record<string, string>[]): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: meta(name),
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    subjects,
  };
}
