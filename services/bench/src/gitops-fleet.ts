import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitTestServer, KubeTestServer, type TestRepo } from '@flotilla/testing';
import { Agent } from '../../agent/src/agent.js';
import { loadKubeConfig } from '../../agent/src/reconcile/index.js';
import type { AgentRuntime } from '../../agent/src/runtime/index.js';
import { openReconcileRuntime } from '../../agent/src/runtime/reconcile-runtime.js';
import { HUB_CONFIG, type HubConfig } from '../../hub/src/config/config.js';
import { natsUrl } from '../../hub/src/messaging/hub-messaging.service.js';
import { BundleSigner } from '../../hub/src/revisions/bundle-signer.js';
import { GitOpsHub, prodGrant } from '../../hub/test/gitops-fixture.js';

const AGENT_NAMESPACE = 'flotilla-system';
const TENANT = 'team-a';

export interface FleetSize {
  agents: number;
  bindings: number;
  /** ConfigMaps per binding. */
  objects: number;
  /** The agents' periodic resync. */
  resyncIntervalMs: number;
}

export interface BenchCluster {
  name: string;
  kube: KubeTestServer;
  runtime: AgentRuntime;
  agent: Agent;
}

const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

/**
 * The whole loop in one process: a hub with managed NATS, a Git test server with one repo of
 * B kustomize dirs × O ConfigMaps, B bindings to every `env=prod` cluster, and N clusters, each
 * a KubeTestServer run by a real Agent + reconcile runtime (as the e2e GitOps test and the demo).
 */
export class GitOpsFleet {
  readonly clusters: BenchCluster[] = [];
  private deliveries = 0;
  private repository!: { id: string; webhookSecret: string };

  private constructor(
    readonly size: FleetSize,
    readonly git: GitTestServer,
    readonly ops: GitOpsHub,
    readonly repo: TestRepo,
    private readonly stateDir: string,
  ) {}

  static async start(size: FleetSize): Promise<GitOpsFleet> {
    const git = await GitTestServer.start();
    const ops = await GitOpsHub.start(git);
    const stateDir = await mkdtemp(join(tmpdir(), 'flotilla-bench-'));
    const repo = await git.createRepo('apps');
    const fleet = new GitOpsFleet(size, git, ops, repo, stateDir);
    try {
      await fleet.setUp();
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  files(value: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (let b = 0; b < this.size.bindings; b++) {
      const names = Array.from({ length: this.size.objects }, (_, o) => `cm-${o}.yaml`);
      for (const [o, file] of names.entries()) files[`b${b}/${file}`] = configMap(`cm-${o}`, value);
      files[`b${b}/kustomization.yaml`] = `resources:\n${names.map((n) => `  - ${n}\n`).join('')}`;
    }
    return files;
  }

  private async setUp() {
    const { ops, size } = this;
    await ops.hub.tenant(TENANT);
    const grant = await ops.call('POST', `/tenants/${TENANT}/grants`, prodGrant);
    if (grant.status !== 201) throw new Error(`grant: ${grant.status}`);
    await this.repo.commitFiles(this.files('v0'), 'initial');
    const created = await ops.call('POST', `/tenants/${TENANT}/repositories`, {
      name: 'apps',
      url: this.repo.url,
    });
    if (created.status !== 201)
      throw new Error(`repository: ${created.status} ${JSON.stringify(created.body)}`);
    this.repository = created.body;

    const hubNats = natsUrl(ops.hub.app.get<HubConfig>(HUB_CONFIG));
    const publicKey = ops.hub.app.get(BundleSigner).publicKey;
    const namespaces = Array.from({ length: size.bindings }, (_, b) => `team-a-b${b}`);
    for (let i = 0; i < size.agents; i++) {
      const name = `edge-${i}`;
      const kube = await KubeTestServer.start({ namespaces: [AGENT_NAMESPACE, ...namespaces] });
      const registered = await ops.call('POST', '/clusters', { name, labels: { env: 'prod' } });
      if (registered.status !== 201) throw new Error(`cluster ${name}: ${registered.status}`);
      const kubeconfig = kube.kubeconfig();
      const runtime = await openReconcileRuntime({
        kubeConfig: loadKubeConfig({ kubeconfig }),
        namespace: AGENT_NAMESPACE,
        bundlePublicKey: publicKey,
        stateDir: join(this.stateDir, name),
        kubeClient: { rateLimit: { qps: 200, burst: 200 } },
        tuning: {
          resyncIntervalMs: size.resyncIntervalMs,
          debounceMs: 100,
          watchBackoff: { baseMs: 50, maxMs: 500 },
        },
      });
      await runtime.start();
      const agent = new Agent({
        natsUrl: hubNats,
        registrationToken: registered.body.registrationToken as string,
        kube: { kubeconfig },
        namespace: AGENT_NAMESPACE,
        retryMs: 200,
        onConnected: (channel) => runtime.onConnected(channel),
        nextSeq: () => runtime.sequence.next(),
        assignmentRevision: () => runtime.assignmentRevision,
      });
      agent.start();
      this.clusters.push({ name, kube, runtime, agent });
    }
    for (let b = 0; b < size.bindings; b++) {
      const bound = await ops.call('POST', `/tenants/${TENANT}/bindings`, {
        name: `b-${b}`,
        repository: 'apps',
        ref: 'main',
        path: `b${b}`,
        clusterSelector: { matchLabels: { env: 'prod' } },
        namespace: `team-a-b${b}`,
        syncPolicy: { automated: true, prune: true, selfHeal: true },
      });
      if (bound.status !== 201)
        throw new Error(`binding b-${b}: ${bound.status} ${JSON.stringify(bound.body)}`);
    }
  }

  /**
   * Commits new ConfigMap values and delivers the signed GitHub push webhook; returns the
   * commit and when the webhook was sent (`performance.now()`, and wall clock for comparing
   * with database timestamps).
   */
  async push(value: string): Promise<{ commit: string; sentAt: number; sentWall: number }> {
    const commit = await this.repo.commitFiles(this.files(value), `value ${value}`);
    const sentAt = performance.now();
    const sentWall = Date.now();
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: commit,
      repository: { clone_url: this.repo.url },
    });
    const answer = await this.ops.hub.call('POST', `/api/v1/webhooks/github/${this.repository.id}`, {
      raw: body,
      token: null,
      headers: {
        'x-github-event': 'push',
        'x-github-delivery': `delivery-${++this.deliveries}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', this.repository.webhookSecret).update(body).digest('hex')}`,
      },
    });
    if (answer.status !== 202) throw new Error(`webhook: ${answer.status}`);
    return { commit, sentAt, sentWall };
  }

  /** How many (binding, cluster) pairs the hub shows Synced + Healthy, on `commit` if given. */
  async settledPairs(commit?: string): Promise<number> {
    let settled = 0;
    let cursor: string | null = null;
    do {
      const query: string = `?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await this.ops.call('GET', `/fleet/status${query}`)).body as {
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

  /**
   * Waits until every pair is settled (on `commit` if given); ms from `since`
   * (`performance.now()`, default: now) until the poll that saw it.
   */
  async settle(commit?: string, since = performance.now(), timeoutMs = 120_000): Promise<number> {
    const want = this.size.agents * this.size.bindings;
    for (;;) {
      const settled = await this.settledPairs(commit);
      if (settled === want) return performance.now() - since;
      if (performance.now() - since > timeoutMs) throw new Error(`only ${settled}/${want} pairs settled`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Where a commit's time went, from the hub's own timestamps: when its revision row was
   * created and when the last cluster's assignment was published (wall-clock ms).
   */
  async milestones(commit: string): Promise<{ revisionAt: number; publishedAt: number }> {
    const [row] = await this.ops.hub.sql<{ revision: string; published: string }>(
      `SELECT (SELECT extract(epoch FROM max(created_at)) * 1000 FROM revision WHERE commit = $1) AS revision,
              (SELECT extract(epoch FROM max(published_at)) * 1000 FROM assignment_state) AS published`,
      [commit],
    );
    return { revisionAt: Number(row!.revision), publishedAt: Number(row!.published) };
  }

  async stop() {
    await Promise.allSettled(this.clusters.map((c) => c.runtime.stop()));
    await Promise.allSettled(this.clusters.map((c) => c.agent.stop()));
    await Promise.allSettled(this.clusters.map((c) => c.kube.stop()));
    await this.ops.stop().catch(() => undefined);
    await this.git.stop().catch(() => undefined);
    await rm(this.stateDir, { recursive: true, force: true });
  }
}
