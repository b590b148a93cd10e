import {
  createBundle,
  generateSigningKeyPair,
  signBundle,
  type KubeObject,
  type ObjectId,
} from '@flotilla/manifests';
import type { TenantLimits } from '@flotilla/policy';
import { KubeTestServer, type KubeTestServerOptions } from '@flotilla/testing';
import type { BindingSpec, SyncPolicy } from './binding.js';
import { ConfigMapInventoryStore } from './inventory-store.js';
import { KubeClient, loadKubeConfig } from './kube-client.js';
import { Reconciler, type ReconcileInput, type ReconcilerParts } from './reconciler.js';
import { ResourceManager } from './resource-manager.js';

/** Shared set-up of the reconcile medium tests: a Kubernetes API test server and a reconciler wired to it. */
export const AGENT_NAMESPACE = 'flotilla-system';
export const TENANT = 'team-a';
export const BINDING_ID = 'b-1';

export const TEAM_A_LIMITS: TenantLimits = {
  grants: ['team-a-dev'],
  namespaces: ['team-a', 'team-a-*'],
  clusterScopedKinds: [],
  rules: [],
};

export interface InputOptions {
  bindingId?: string;
  syncPolicy?: Partial<SyncPolicy>;
  limits?: TenantLimits;
  /** Changes the bytes after signing, as an attacker between hub and agent would. */
  tamper?: boolean;
}

export interface Fixture {
  server: KubeTestServer;
  /** Agent-identity resource manager, for arranging and inspecting cluster state. */
  manager: ResourceManager;
  reconciler: Reconciler;
  input(objects: KubeObject[], options?: InputOptions): ReconcileInput;
  stop(): Promise<void>;
}

export async function startFixture(
  options: { server?: KubeTestServerOptions; parts?: Partial<ReconcilerParts> } = {},
): Promise<Fixture> {
  const server = await KubeTestServer.start({
    tls: true,
    namespaces: [AGENT_NAMESPACE, TENANT, 'other'],
    ...options.server,
  });
  const client = KubeClient.create(loadKubeConfig({ kubeconfig: server.kubeconfig() }), {
    rateLimit: { qps: 1000, burst: 1000 },
    // Fault-injection tests exhaust the retries; short delays keep them fast.
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  const manager = new ResourceManager(client, undefined, undefined, { timeoutMs: 10_000, intervalMs: 20 });
  const keys = generateSigningKeyPair();
  const reconciler = new Reconciler({
    manager,
    inventory: new ConfigMapInventoryStore(manager, AGENT_NAMESPACE),
    agentNamespace: AGENT_NAMESPACE,
    bundlePublicKey: keys.publicKey,
    ...options.parts,
  });
  let commits = 0;
  const input = (objects: KubeObject[], opts: InputOptions = {}): ReconcileInput => {
    const commit = (++commits).toString(16).padStart(40, '0');
    const bindingId = opts.bindingId ?? BINDING_ID;
    const created = createBundle({ bindingId, tenant: TENANT, commit, objects });
    const signature = signBundle(created.bytes, keys.privateKey);
    const bytes = opts.tamper ? tampered(created.bytes) : created.bytes;
    const binding: BindingSpec = {
      bindingId,
      tenant: TENANT,
      name: 'app',
      bundleDigest: created.digest,
      commit,
      namespace: TENANT,
      syncPolicy: { automated: true, prune: true, selfHeal: false, ...opts.syncPolicy },
      suspended: false,
    };
    return { binding, bundle: { bytes, signature }, limits: opts.limits ?? TEAM_A_LIMITS };
  };
  return { server, manager, reconciler, input, stop: () => server.stop() };
}

function tampered(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes).toString('utf8').replace('"replicas":1', '"replicas":9');
  return Buffer.from(text === Buffer.from(bytes).toString('utf8') ? `${text} ` : text, 'utf8');
}

export function configMap(name: string, data: Record<string, string>, namespace?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace && { namespace }) }, data };
}

export function deployment(name: string, image: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
    },
  };
}

/** A `kubectl edit`-like change: read, modify, PUT back under another field manager. */
export async function editAsOtherManager(
  f: Fixture,
  id: ObjectId,
  change: (object: KubeObject) => void,
): Promise<void> {
  const live = await f.manager.get(id);
  if (!live) throw new Error(`${id.name} does not exist`);
  change(live);
  await f.manager.client.request({
    method: 'PUT',
    path: await f.manager.discovery.pathOf(id),
    query: { fieldManager: 'kubectl-edit' },
    body: live,
  });
}

export const deploymentId = (name: string): ObjectId => ({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  namespace: TENANT,
  name,
});
