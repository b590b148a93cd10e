import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GitTestServer,
  InProcessTransport,
  KubeTestServer,
  type ApplyLatency,
  type TestRepo,
} from '@flotilla/testing';
import { Agent } from '../../agent/src/agent.js';
import { loadKubeConfig } from '../../agent/src/reconcile/index.js';
import type { AgentRuntime } from '../../agent/src/runtime/index.js';
import { openReconcileRuntime } from '../../agent/src/runtime/reconcile-runtime.js';
import { HUB_CONFIG, type HubConfig } from '../../hub/src/config/config.js';
import { HubMessaging, natsUrl } from '../../hub/src/messaging/hub-messaging.service.js';
import { BundleSigner } from '../../hub/src/revisions/bundle-signer.js';
import { GitOpsHub } from '../../hub/test/gitops-fixture.js';
import { mapBounded } from './concurrency.js';
import {
  bindingNamespace,
  createBindings,
  registerRepository,
  settledPairs,
  TENANT,
  workloadFiles,
} from './gitops-repo.js';

const AGENT_NAMESPACE = 'flotilla-system';

/**
 * How agents reach their clusters. `http`: a socket per request and a drift watch per
 * namespace, as in production. `in-process`: the reconcile runtime's requests go through an
 * InProcessTransport with a simulated apply latency, drift watches off (the periodic resync
 * still finds drift); the agent's own few requests (credential Secret, cluster facts) stay HTTP.
 */
export type FleetBackend = 'http' | 'in-process';

export interface FleetOptions {
  /**
   * Default: `in-process` above 50 agents. Past that, HTTP plumbing and watch streams of the
   * simulated clusters (in the same process as the hub) cost more CPU than the hub under test.
   */
  backend?: FleetBackend;
  /** Write latency of the in-process backend (default p50 15 / p90 30 ms); false for none. */
  applyLatency?: ApplyLatency | false;
  /** Leave the bindings to `createBindings()` instead of creating them in `start()`. */
  deferBindings?: boolean;
  /**
   * Clusters registered, and agents started until connected, at once during setup. Default 16:
   * the hub serialises agent registrations, and hundreds at once time out and retry in a storm.
   */
  setupConcurrency?: number;
}

/** Where the setup's time went (ms): not part of any scenario's clock. */
export interface FleetSetup {
  backend: FleetBackend;
  /** KubeTestServers started and clusters registered through the API. */
  registerMs: number;
  /** Reconcile runtimes opened and agents started, until every agent's hello was accepted. */
  connectMs: number;
}

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
  /** The in-process backend's transport (counts applies); absent over HTTP. */
  transport?: InProcessTransport;
}

/**
 * The whole loop in one process: a hub with managed NATS, a Git test server with one repo of
 * B kustomize dirs × O ConfigMaps, B bindings to every `env=prod` cluster, and N clusters, each
 * a KubeTestServer run by a real Agent + reconcile runtime (as the e2e GitOps test and the demo).
 */
export class GitOpsFleet {
  readonly clusters: BenchCluster[] = [];
  readonly setup: FleetSetup;
  private deliveries = 0;
  private repository!: { id: string; webhookSecret: string };

  private constructor(
    readonly size: FleetSize,
    readonly git: GitTestServer,
    readonly ops: GitOpsHub,
    readonly repo: TestRepo,
    private readonly stateDir: string,
    private readonly options: FleetOptions,
  ) {
    const backend = options.backend ?? (size.agents > 50 ? 'in-process' : 'http');
    this.setup = { backend, registerMs: 0, connectMs: 0 };
  }

  static async start(size: FleetSize, options: FleetOptions = {}): Promise<GitOpsFleet> {
    const git = await GitTestServer.start();
    const ops = await GitOpsHub.start(git);
    const stateDir = await mkdtemp(join(tmpdir(), 'flotilla-bench-'));
    const repo = await git.createRepo('apps');
    const fleet = new GitOpsFleet(size, git, ops, repo, stateDir, options);
    try {
      await fleet.setUp();
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  files(value: string): Record<string, string> {
    return workloadFiles(this.size, value);
  }

  private async setUp() {
    const { ops, size } = this;
    this.repository = await registerRepository(ops, this.repo, this.files('v0'));

    const hubNats = natsUrl(ops.hub.app.get<HubConfig>(HUB_CONFIG));
    const publicKey = ops.hub.app.get(BundleSigner).publicKey;
    const namespaces = Array.from({ length: size.bindings }, (_, b) => bindingNamespace(b));
    const concurrency = this.options.setupConcurrency ?? 16;
    const indexes = Array.from({ length: size.agents }, (_, i) => i);

    let phase = performance.now();
    const registered = await mapBounded(indexes, concurrency, async (i) => {
      const name = `edge-${i}`;
      const kube = await KubeTestServer.start({ namespaces: [AGENT_NAMESPACE, ...namespaces] });
      const answer = await ops.call('POST', '/clusters', { name, labels: { env: 'prod' } });
      if (answer.status !== 201) {
        await kube.stop();
        throw new Error(`cluster ${name}: ${answer.status}`);
      }
      return { name, kube, registrationToken: answer.body.registrationToken as string };
    });
    this.setup.registerMs = performance.now() - phase;

    phase = performance.now();
    const inProcess = this.setup.backend === 'in-process';
    await mapBounded(registered, concurrency, async ({ name, kube, registrationToken }) => {
      const kubeconfig = kube.kubeconfig();
      const transport = inProcess
        ? new InProcessTransport(kube, { applyLatency: this.options.applyLatency })
        : undefined;
      const runtime = await openReconcileRuntime({
        kubeConfig: loadKubeConfig({ kubeconfig }),
        namespace: AGENT_NAMESPACE,
        bundlePublicKey: publicKey,
        stateDir: join(this.stateDir, name),
        kubeClient: { rateLimit: { qps: 200, burst: 200 }, httpLibrary: transport },
        tuning: {
          resyncIntervalMs: size.resyncIntervalMs,
          debounceMs: 100,
          watchBackoff: { baseMs: 50, maxMs: 500 },
          driftWatches: !inProcess,
        },
      });
      await runtime.start();
      const agent = new Agent({
        natsUrl: hubNats,
        registrationToken,
        kube: { kubeconfig },
        namespace: AGENT_NAMESPACE,
        retryMs: 200,
        onConnected: (channel) => runtime.onConnected(channel),
        nextSeq: () => runtime.sequence.next(),
        assignmentRevision: () => runtime.assignmentRevision,
      });
      agent.start();
      this.clusters.push({ name, kube, runtime, agent, transport });
      await this.connected(agent);
    });
    this.clusters.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    this.setup.connectMs = performance.now() - phase;
    if (!this.options.deferBindings) await this.createBindings();
  }

  /** Resolves once the agent's hello was accepted. */
  private async connected(agent: Agent, timeoutMs = 120_000): Promise<void> {
    const since = performance.now();
    while (agent.state !== 'connected') {
      if (performance.now() - since > timeoutMs) throw new Error(`agent not connected: ${agent.state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Creates the B bindings (one per kustomize dir, each selecting every cluster); returns when
   * the first was posted (`performance.now()` and wall clock).
   */
  async createBindings(concurrency = 1): Promise<{ firstAt: number; firstWall: number }> {
    const firstAt = performance.now();
    const firstWall = Date.now();
    await createBindings(this.ops, this.size.bindings, concurrency);
    return { firstAt, firstWall };
  }

  /** What a scenario's notes say about how this fleet is simulated. */
  get notes(): string[] {
    return [
      'hub, NATS, Git server, KubeTestServers and all agents share one process (NATS is a child process)',
      ...(this.setup.backend === 'in-process'
        ? [
            'in-process clusters: reconcile requests skip sockets, writes wait the apply latency (default p50 15 / p90 30 ms); drift watches off',
          ]
        : []),
    ];
  }

  /**
   * The bindings' objects the in-process backend applied (not dry runs): every apply, and the
   * distinct objects among them (the difference is re-applies). Undefined over HTTP.
   */
  appliedObjects(): { applies: number; objects: number } | undefined {
    if (this.setup.backend !== 'in-process') return undefined;
    let applies = 0;
    let objects = 0;
    const prefix = `/api/v1/namespaces/${TENANT}-b`;
    for (const { transport } of this.clusters)
      for (const [path, count] of transport!.applies)
        if (path.startsWith(prefix)) {
          applies += count;
          objects++;
        }
    return { applies, objects };
  }

  /**
   * Commits new ConfigMap values and delivers the signed GitHub push webhook; returns the
   * commit and when the webhook was sent (`performance.now()`, and wall clock for comparing
   * with database timestamps).
   */
  async push(value: string): Promise<{ commit: string; sentAt: number; sentWall: number }> {
    const commit = await this.commit(value);
    return { commit, ...(await this.deliverPush(commit)) };
  }

  /** Commits new ConfigMap values without telling the hub. */
  commit(value: string): Promise<string> {
    return this.repo.commitFiles(this.files(value), `value ${value}`);
  }

  /** Delivers the signed GitHub push webhook for `commit` (already in the repo). */
  async deliverPush(commit: string): Promise<{ sentAt: number; sentWall: number }> {
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
    return { sentAt, sentWall };
  }

  /** How many (binding, cluster) pairs the hub shows Synced + Healthy, on `commit` if given. */
  settledPairs(commit?: string): Promise<number> {
    return settledPairs(this.ops, commit);
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

  /**
   * A real hub restart: the hub and its managed nats-server stop (JetStream state stays on disk
   * in the hub's data dir), `whileDown` runs, then both start again on the same database, NATS
   * port and data dir. Resolves once the hub answers HTTP (NATS may still be starting) with
   * `performance.now()` of the moment it began starting again and of then.
   */
  async restartHub(whileDown: () => Promise<void> = async () => undefined) {
    let startingAt = 0;
    await this.ops.hub.restart(async () => {
      await whileDown();
      startingAt = performance.now();
    });
    return { startingAt, listeningAt: performance.now() };
  }

  /** Resolves once the (restarted) hub is connected to NATS and serving agents. */
  async messagingReady(): Promise<void> {
    await this.ops.hub.app.get(HubMessaging).ready();
  }
}
