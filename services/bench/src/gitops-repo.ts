import type { TestRepo } from '@flotilla/testing';
import { prodGrant, type GitOpsHub } from '../../hub/test/gitops-fixture.js';
import { mapBounded } from './concurrency.js';

/**
 * The benchmarks' GitOps workload, shared by the in-process fleet and the agent-footprint
 * scenario: tenant `team-a` with one repository `apps` of B kustomize dirs × O ConfigMaps, and
 * one binding per dir to every `env=prod` cluster, each into its own namespace.
 */
export const TENANT = 'team-a';

export interface Workload {
  bindings: number;
  /** ConfigMaps per binding. */
  objects: number;
}

/** The namespace binding `b` applies into: the clusters must have it. */
export const bindingNamespace = (b: number) => `${TENANT}-b${b}`;

const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

/** The repository's files with every ConfigMap's value set to `value`. */
export function workloadFiles(workload: Workload, value: string): Record<string, string> {
  const files: Record<string, string> = {};
  const names = Array.from({ length: workload.objects }, (_, o) => `cm-${o}.yaml`);
  for (let b = 0; b < workload.bindings; b++) {
    for (const [o, file] of names.entries()) files[`b${b}/${file}`] = configMap(`cm-${o}`, value);
    files[`b${b}/kustomization.yaml`] = `resources:\n${names.map((n) => `  - ${n}\n`).join('')}`;
  }
  return files;
}

/**
 * Creates the tenant with the prod grant, commits `files` to `repo` and registers it as
 * repository `apps`; returns the hub's repository (its id and webhook secret).
 */
export async function registerRepository(
  ops: GitOpsHub,
  repo: TestRepo,
  files: Record<string, string>,
): Promise<{ id: string; webhookSecret: string }> {
  await ops.hub.tenant(TENANT);
  const grant = await ops.call('POST', `/tenants/${TENANT}/grants`, prodGrant);
  if (grant.status !== 201) throw new Error(`grant: ${grant.status}`);
  await repo.commitFiles(files, 'initial');
  const created = await ops.call('POST', `/tenants/${TENANT}/repositories`, { name: 'apps', url: repo.url });
  if (created.status !== 201)
    throw new Error(`repository: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/**
 * Creates bindings b-0 … b-(B-1), one per kustomize dir, each selecting every `env=prod`
 * cluster; `concurrency` POSTs in flight at once (1: one after another).
 */
export async function createBindings(ops: GitOpsHub, bindings: number, concurrency = 1): Promise<void> {
  const indexes = Array.from({ length: bindings }, (_, b) => b);
  await mapBounded(indexes, concurrency, async (b) => {
    const bound = await ops.call('POST', `/tenants/${TENANT}/bindings`, {
      name: `b-${b}`,
      repository: 'apps',
      ref: 'main',
      path: `b${b}`,
      clusterSelector: { matchLabels: { env: 'prod' } },
      namespace: bindingNamespace(b),
      syncPolicy: { automated: true, prune: true, selfHeal: true },
    });
    if (bound.status !== 201)
      throw new Error(`binding b-${b}: ${bound.status} ${JSON.stringify(bound.body)}`);
  });
}

/** How many (binding, cluster) pairs the hub shows Synced + Healthy, on `commit` if given. */
export async function settledPairs(ops: GitOpsHub, commit?: string): Promise<number> {
  let settled = 0;
  let cursor: string | null = null;
  do {
    const query: string = `?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = (await ops.call('GET', `/fleet/status${query}`)).body as {
      items: { syncState: string; health: string; commit: string | null }[];
      nextCursor: string | null;
    };
    for (const item of page.items)
      if (item.syncState === 'Synced' && item.health === 'Healthy' && (!commit || item.commit === commit))
        settled++;
    cursor = page.nextCursor;
  } while (cursor);
  return settled;
}
