import { stringify } from 'yaml';

export const AGENT_NAMESPACE = 'flotilla-system';
export const AGENT_NAME = 'flotilla-agent';
/** Secret the agent reads its registration token from (and re-reads after a revocation). */
export const REGISTRATION_SECRET = 'flotilla-agent-registration';
/** Secret the agent keeps its NATS credential in. */
export const CREDENTIALS_SECRET = 'flotilla-agent-credentials';
export const AGENT_HEALTH_PORT = 8081;
/** Where the agent keeps its cached assignment, bundles and queued reports (an emptyDir). */
export const AGENT_STATE_DIR = '/var/lib/flotilla-agent';
/**
 * The agent's V8 flags (NODE_OPTIONS in its container). A 1 MiB young generation instead of
 * the default 16 MiB semi-spaces: the agent allocates little and often, and V8 otherwise keeps
 * ~60 MiB of mostly empty heap committed (bench:agent-footprint: idle RSS 172 → 130 MiB).
 */
export const AGENT_NODE_OPTIONS = '--max-semi-space-size=1';

export interface InstallOptions {
  clusterName: string;
  natsUrl: string;
  registrationToken: string;
  image: string;
  /** The hub's bundle-signing public key: the agent applies only bundles signed with it. */
  bundlePublicKey: string;
  namespace?: string;
}

const labels = { 'app.kubernetes.io/name': AGENT_NAME, 'app.kubernetes.io/part-of': 'flotilla' };

const WATCHED_KINDS: [string, string[]][] = [
  ['', ['configmaps', 'services', 'serviceaccounts', 'persistentvolumeclaims']],
  ['apps', ['deployments', 'statefulsets', 'daemonsets']],
  ['batch', ['jobs', 'cronjobs']],
  ['networking.k8s.io', ['ingresses', 'networkpolicies']],
  ['autoscaling', ['horizontalpodautoscalers']],
  ['policy', ['poddisruptionbudgets']],
];

/**
 * Cluster-wide rights, each for something the agent does: create the namespaces a tenant's
 * grant covers, write the tenant's Roles/ClusterRoles and bindings (escalate + bind, because it
 * grants tenants rights it does not use itself), and count nodes for its hello. Tenant objects
 * themselves are applied by impersonating the tenant's ServiceAccount, so no blanket write.
 */
function clusterRules() {
  return [
    {
      apiGroups: [''],
      resources: ['namespaces'],
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'],
    },
    { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
    // Drift detection watches the objects it applied with the agent's identity: read-only, on
    // the common workload kinds. Other kinds (and Secrets, never readable cluster-wide) are
    // still reconciled, by the periodic resync instead of a watch.
    ...WATCHED_KINDS.map(([group, resources]) => ({
      apiGroups: [group],
      resources,
      verbs: ['get', 'list', 'watch'],
    })),
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete', 'escalate', 'bind'],
    },
  ];
}

/** Rights inside the agent's own namespace: its Secrets and inventories, the tenants' ServiceAccounts. */
function namespaceRules() {
  return [
    {
      apiGroups: [''],
      resources: ['secrets', 'configmaps'],
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'],
    },
    {
      apiGroups: [''],
      resources: ['serviceaccounts'],
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete', 'impersonate'],
    },
  ];
}

/** The objects `kubectl apply` creates in a cluster to install its agent, in apply order. */
export function installObjects(opts: InstallOptions): Record<string, unknown>[] {
  const namespace = opts.namespace ?? AGENT_NAMESPACE;
  const meta = (name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace } : {}), labels });
  const subject = { kind: 'ServiceAccount', name: AGENT_NAME, namespace };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta(namespace, false) },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(AGENT_NAME) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(AGENT_NAME, false),
      rules: clusterRules(),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(AGENT_NAME, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_NAME },
      subjects: [subject],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(AGENT_NAME),
      rules: namespaceRules(),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(AGENT_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT_NAME },
      subjects: [subject],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { ...meta(REGISTRATION_SECRET), annotations: { 'flotilla.dev/cluster': opts.clusterName } },
      type: 'Opaque',
      stringData: { token: opts.registrationToken, bundlePublicKey: opts.bundlePublicKey },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(AGENT_NAME),
      spec: {
        replicas: 1,
        // One agent per cluster: never two at once during an update.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: AGENT_NAME,
            automountServiceAccountToken: true,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'agent',
                image: opts.image,
                env: [
                  { name: 'FLOTILLA_AGENT_NATS_URL', value: opts.natsUrl },
                  {
                    name: 'FLOTILLA_AGENT_NAMESPACE',
                    valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
                  },
                  { name: 'FLOTILLA_AGENT_HEALTH_PORT', value: String(AGENT_HEALTH_PORT) },
                  {
                    name: 'FLOTILLA_AGENT_BUNDLE_PUBLIC_KEY',
                    valueFrom: { secretKeyRef: { name: REGISTRATION_SECRET, key: 'bundlePublicKey' } },
                  },
                  { name: 'FLOTILLA_AGENT_STATE_DIR', value: AGENT_STATE_DIR },
                  { name: 'NODE_OPTIONS', value: AGENT_NODE_OPTIONS },
                ],
                volumeMounts: [{ name: 'state', mountPath: AGENT_STATE_DIR }],
                ports: [{ name: 'health', containerPort: AGENT_HEALTH_PORT }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'health' }, periodSeconds: 10 },
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 'health' },
                  initialDelaySeconds: 10,
                  periodSeconds: 20,
                },
                // bench:agent-footprint: RSS ~130 MiB idle, ~200 MiB with 100 bindings × 20 objects.
                resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
            // The root filesystem is read-only; the state survives container restarts in the pod.
            volumes: [{ name: 'state', emptyDir: {} }],
          },
        },
      },
    },
  ];
}

export function installYaml(opts: InstallOptions): string {
  const header = `# Flotilla agent for cluster "${opts.clusterName}". Contains a one-time registration token: apply it, don't commit it.\n`;
  return (
    header +
    installObjects(opts)
      .map((object) => stringify(object))
      .join('---\n')
  );
}
