import { GitOpsFleet } from '../gitops-fleet.js';
import { pick, type BenchOptions } from '../options.js';
import { report, type ResultRow } from '../report.js';
import { round } from '../stats.js';

/** How long the hub and its NATS stay down (besides stopping and starting). */
const OUTAGE_MS = 3_000;
/** Restart mid-rollout once this share of pairs reported the commit: the rest are in flight. */
const IN_FLIGHT_AFTER = 0.1;
const POLL_MS = 100;

/**
 * Per bound ConfigMap on every cluster, the stored changes that set it to the value being
 * rolled out, as the cluster's own API server saw them (whatever the agents and the hub think).
 * A no-op apply stores nothing, so exactly one per object is right: none is a missed apply,
 * more than one a duplicate (the object was set back and applied again).
 */
class AppliedWrites {
  #value = '';
  readonly #writes = new Map<string, number>();
  /** Changes to any other value while counting: a stale bundle applied over the new one. */
  #otherValue = 0;

  constructor(private readonly fleet: GitOpsFleet) {
    for (const cluster of fleet.clusters) {
      cluster.kube.api.onWrite((type, _change, object) => {
        const { name, namespace } = object.metadata ?? {};
        if (type.kind !== 'ConfigMap' || !name?.startsWith('cm-')) return;
        if ((object.data as Record<string, string> | undefined)?.value !== this.#value) {
          this.#otherValue++;
          return;
        }
        const key = `${cluster.name}/${namespace}/${name}`;
        this.#writes.set(key, (this.#writes.get(key) ?? 0) + 1);
      });
    }
  }

  /** Counts afresh, for `value`. */
  expect(value: string): void {
    this.#value = value;
    this.#writes.clear();
    this.#otherValue = 0;
  }

  tally(): { missed: number; duplicated: number; otherValue: number } {
    const { agents, bindings, objects } = this.fleet.size;
    const counts = [...this.#writes.values()];
    return {
      missed: agents * bindings * objects - counts.length,
      duplicated: counts.filter((n) => n > 1).length,
      otherValue: this.#otherValue,
    };
  }
}

/** Ms from `since` until `count()` reaches `want` (null if `timeoutMs` passed first). */
async function timeUntil(
  count: () => Promise<number>,
  want: number,
  since: number,
  timeoutMs: number,
): Promise<number | null> {
  for (;;) {
    if ((await count()) >= want) return performance.now() - since;
    if (performance.now() - since > timeoutMs) return null;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Clusters whose agent the hub heard from (hello, heartbeat or report) since `wall`. */
async function clustersSeenSince(fleet: GitOpsFleet, wall: number): Promise<number> {
  const [row] = await fleet.ops.hub.sql<{ seen: string }>(
    `SELECT count(*) AS seen FROM cluster WHERE last_seen_at >= to_timestamp($1 / 1000.0)`,
    [wall],
  );
  return Number(row!.seen);
}

interface Recovery {
  /** Wall clock (ms) when the hub began starting again, for the hub's own timestamps. */
  startingWall: number;
  /** Hub stopped (with its nats-server) → starting again, ms. */
  downMs: number;
  /** From starting again: HTTP answering, NATS connected, half / all agents heard from, all consistent. */
  listeningMs: number;
  messagingMs: number;
  halfReconnectedMs: number | null;
  reconnectedMs: number | null;
  consistentMs: number | null;
  /** Pairs not Synced + Healthy on the commit when measuring stopped. */
  stalePairs: number;
  /** Agents by state when measuring stopped (all `connected` when they came back). */
  agentStates: string;
}

/**
 * Restarts the hub and its NATS (running `whileDown` during the outage and `afterListening` as
 * soon as the hub answers HTTP again) and measures the fleet's way back to `commit` everywhere.
 */
async function restartAndRecover(
  fleet: GitOpsFleet,
  commit: () => string,
  timeoutMs: number,
  whileDown: () => Promise<void>,
  afterListening: () => Promise<unknown> = async () => undefined,
): Promise<Recovery> {
  const stoppingAt = performance.now();
  let downWall = 0;
  const { startingAt, listeningAt } = await fleet.restartHub(async () => {
    downWall = Date.now();
    await whileDown();
  });
  const messaging = fleet.messagingReady().then(() => performance.now() - startingAt);
  await afterListening();
  const { agents, bindings } = fleet.size;
  const seen = () => clustersSeenSince(fleet, downWall);
  const settled = () => fleet.settledPairs(commit());
  const [halfReconnectedMs, reconnectedMs, consistentMs] = await Promise.all([
    timeUntil(seen, Math.ceil(agents / 2), startingAt, timeoutMs),
    timeUntil(seen, agents, startingAt, timeoutMs),
    timeUntil(settled, agents * bindings, startingAt, timeoutMs),
  ]);
  return {
    startingWall: Date.now() - (performance.now() - startingAt),
    downMs: startingAt - stoppingAt,
    listeningMs: listeningAt - startingAt,
    messagingMs: await messaging,
    halfReconnectedMs,
    reconnectedMs,
    consistentMs,
    stalePairs: agents * bindings - (await settled()),
    agentStates: agentStates(fleet),
  };
}

function agentStates(fleet: GitOpsFleet): string {
  const counts = new Map<string, number>();
  for (const { agent } of fleet.clusters) counts.set(agent.state, (counts.get(agent.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${state} ${n}`).join(', ');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number | null) => (value === null ? 'timeout' : round(value));

function rows(
  variant: string,
  recovery: Recovery,
  writes: ReturnType<AppliedWrites['tally']>,
  extra: ResultRow[] = [],
): ResultRow[] {
  return [
    { metric: `${variant}: hub + NATS stopped`, value: round(recovery.downMs), unit: 'ms' },
    { metric: `${variant}: restart → hub answers HTTP`, value: round(recovery.listeningMs), unit: 'ms' },
    { metric: `${variant}: restart → hub on NATS`, value: round(recovery.messagingMs), unit: 'ms' },
    {
      metric: `${variant}: restart → half the agents back`,
      value: ms(recovery.halfReconnectedMs),
      unit: 'ms',
    },
    { metric: `${variant}: restart → every agent back`, value: ms(recovery.reconnectedMs), unit: 'ms' },
    {
      metric: `${variant}: restart → all consistent`,
      value: ms(recovery.consistentMs),
      unit: 'ms',
      target: '≤ 60000 ms',
    },
    ...extra,
    {
      metric: `${variant}: objects never applied (missed)`,
      value: writes.missed,
      unit: 'objects',
      target: '0',
    },
    {
      metric: `${variant}: objects applied twice or more (duplicate)`,
      value: writes.duplicated,
      unit: 'objects',
      target: '0',
    },
    { metric: `${variant}: writes of another value meanwhile`, value: writes.otherValue, unit: 'writes' },
    {
      metric: `${variant}: pairs stale on the hub at the end`,
      value: recovery.stalePairs,
      unit: 'pairs',
      target: '0',
    },
    { metric: `${variant}: agents by state at the end`, value: recovery.agentStates, unit: '' },
  ];
}

/**
 * Reconnect storm: a settled fleet loses its hub and the hub's nats-server (both stop; JetStream
 * stays on disk) and gets them back. Two variants:
 *  - "commit while down": a commit lands during the outage; its webhook is delivered again as
 *    soon as the hub answers HTTP (GitHub's "redeliver"), before the hub is back on NATS.
 *  - "reports in flight": the hub goes down mid-rollout, once a share of pairs reported; the
 *    agents finish applying offline, queue their reports and publish them after reconnecting.
 * Measured: time from the restart until every agent was heard from and every pair is Synced +
 * Healthy on the commit, and per object how often the cluster stored the new value.
 */
export async function reconnectStorm(options: BenchOptions) {
  const agents = pick(options.agents, options.quick, 20, 1000);
  const bindings = pick(options.bindings, options.quick, 1, 2);
  const objects = pick(options.objects, options.quick, 3, 5);
  const timeoutMs = 300_000;

  // A long resync: after the restart, only the reconnect and the new commit make agents work.
  const fleet = await GitOpsFleet.start({ agents, bindings, objects, resyncIntervalMs: 600_000 });
  try {
    const writes = new AppliedWrites(fleet);
    await fleet.settle(undefined, performance.now(), timeoutMs);
    const want = agents * bindings;

    writes.expect('v1');
    let whileDownCommit = '';
    const commitWhileDown = await restartAndRecover(
      fleet,
      () => whileDownCommit,
      timeoutMs,
      async () => {
        whileDownCommit = await fleet.commit('v1');
        await pause(OUTAGE_MS);
      },
      () => fleet.deliverPush(whileDownCommit),
    );
    const commitWhileDownWrites = writes.tally();
    const { publishedAt } = await fleet.milestones(whileDownCommit);

    writes.expect('v2');
    const { commit: rolledOut, sentAt } = await fleet.push('v2');
    const reportedBeforeStop = Math.ceil(want * IN_FLIGHT_AFTER);
    await timeUntil(() => fleet.settledPairs(rolledOut), reportedBeforeStop, sentAt, timeoutMs);
    let queuedOffline = 0;
    const inFlight = await restartAndRecover(
      fleet,
      () => rolledOut,
      timeoutMs,
      async () => {
        await pause(OUTAGE_MS);
        queuedOffline = fleet.clusters.reduce((sum, cluster) => sum + cluster.runtime.queuedReports, 0);
      },
    );

    await report({
      scenario: 'reconnect-storm',
      parameters: { agents, bindings, objects, outageMs: OUTAGE_MS, backend: fleet.setup.backend },
      results: [
        ...rows('commit while down', commitWhileDown, commitWhileDownWrites, [
          {
            metric: 'commit while down: restart → last assignment published',
            value: round(publishedAt - commitWhileDown.startingWall),
            unit: 'ms',
          },
        ]),
        ...rows('reports in flight', inFlight, writes.tally(), [
          {
            metric: 'reports in flight: pairs the hub had on the commit when it stopped',
            value: reportedBeforeStop,
            unit: 'pairs',
          },
          {
            metric: 'reports in flight: reports queued on agents at the end of the outage',
            value: queuedOffline,
            unit: 'reports',
          },
        ]),
      ],
      notes: [
        '"restart" = the hub and its managed nats-server start again (same port, data dir, database)',
        '"agent back" = the hub heard from it since the outage (hello after reconnecting, or a report)',
        '"all consistent" = GET /fleet/status shows every pair Synced + Healthy on the commit',
        'missed/duplicate: per ConfigMap, stored changes to the new value on the cluster (a no-op apply stores none)',
        `commit while down: webhook delivered again once the hub answers HTTP; reports in flight: hub stopped once ${IN_FLIGHT_AFTER * 100} % of pairs had reported`,
        ...fleet.notes,
      ],
    });
  } finally {
    await fleet.stop();
  }
}
