import { GitOpsFleet } from '../gitops-fleet.js';
import { pick, type BenchOptions } from '../options.js';
import { report } from '../report.js';
import { percentile, round } from '../stats.js';

const POLL_MS = 250;
/**
 * Binding POSTs in flight at once: how a platform team's tooling applies a batch (Terraform's
 * default parallelism is 10). Each POST recomputes every cluster it targets; concurrent ones
 * serialise on the clusters' locks and later ones find earlier bindings already published.
 */
const BINDING_CONCURRENCY = 10;

/**
 * N clusters × B bindings from empty to all Synced: every cluster registered, its agent
 * connected and the repository registered first (setup, not timed); the clock starts at the
 * first binding POST and stops when the hub has every (binding, cluster) pair Synced + Healthy.
 */
export async function coldStart(options: BenchOptions) {
  const agents = pick(options.agents, options.quick, 20, 1000);
  const bindings = pick(options.bindings, options.quick, 5, 50);
  const objects = pick(options.objects, options.quick, 1, 1);
  const pairs = agents * bindings;
  const timeoutMs = Math.max(300_000, pairs * 20);

  const fleet = await GitOpsFleet.start(
    // No resync inside the measured window: every apply is the cold start's own.
    { agents, bindings, objects, resyncIntervalMs: 3_600_000 },
    { backend: 'in-process', applyLatency: options.applyLatency, deferBindings: true },
  );
  try {
    const cpuBefore = process.cpuUsage();
    const { firstAt, firstWall } = await fleet.createBindings(BINDING_CONCURRENCY);
    const bindingsPostedMs = performance.now() - firstAt;
    let peakRss = 0;
    for (let settled = 0; settled < pairs; settled = await syncedPairs(fleet)) {
      if (performance.now() - firstAt > timeoutMs) throw new Error(`only ${settled}/${pairs} pairs synced`);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const totalMs = performance.now() - firstAt;
    const cpu = process.cpuUsage(cpuBefore);
    const reached = await firstSyncedAt(fleet, firstWall);
    const applied = fleet.appliedObjects()!;
    const { setup } = fleet;
    const seconds = (ms: number) => round(ms / 1000, 2);
    const at = (share: number) => seconds(percentile(reached, share));

    await report({
      scenario: 'cold-start',
      parameters: {
        clusters: agents,
        bindings,
        objects,
        backend: setup.backend,
        bindingConcurrency: BINDING_CONCURRENCY,
        applyLatency:
          options.applyLatency === false ? 'none' : (options.applyLatency ?? 'p50 15 / p90 30 ms'),
      },
      results: [
        { metric: 'setup: clusters registered', value: seconds(setup.registerMs), unit: 's' },
        { metric: 'setup: agents started and connected', value: seconds(setup.connectMs), unit: 's' },
        { metric: 'bindings posted', value: seconds(bindingsPostedMs), unit: 's' },
        { metric: 'first pair Synced', value: seconds(Math.min(...reached)), unit: 's' },
        { metric: '50 % of pairs Synced', value: at(50), unit: 's' },
        { metric: '90 % of pairs Synced', value: at(90), unit: 's' },
        { metric: '100 % of pairs Synced', value: at(100), unit: 's' },
        {
          metric: 'all pairs Synced (poll)',
          value: seconds(totalMs),
          unit: 's',
          target: '≤ 120 s at 1,000 × 50',
        },
        { metric: 'pairs/s', value: round(pairs / (totalMs / 1000)), unit: 'pairs/s' },
        { metric: 'process CPU (user + system)', value: round((cpu.user + cpu.system) / 1e6, 1), unit: 's' },
        {
          metric: 'process CPU / wall',
          value: round((cpu.user + cpu.system) / 1e3 / totalMs, 2),
          unit: 'cores',
        },
        { metric: 'peak RSS during the run', value: Math.round(peakRss / 2 ** 20), unit: 'MiB' },
        {
          metric: 'objects applied (expected pairs × objects)',
          value: applied.objects,
          unit: `of ${pairs * objects}`,
        },
        { metric: 're-applies (duplicates)', value: applied.applies - applied.objects, unit: 'applies' },
      ],
      notes: [
        '"Synced" = deployment_status row Synced + Healthy (SQL count polled every 250 ms; per-pair times from sync_history)',
        'hub, Git server, KubeTestServers and all agents share one process: process CPU includes the agents and simulated clusters; NATS and PostgreSQL are separate processes, not counted',
        'in-process clusters: reconcile requests skip sockets (InProcessTransport), writes wait the apply latency; drift watches are off (periodic resync, here 1 h, would find drift)',
        'setup time (registration, agent start and connect) is not on the clock',
      ],
    });
  } finally {
    await fleet.stop();
  }
}

async function syncedPairs(fleet: GitOpsFleet): Promise<number> {
  const [row] = await fleet.ops.hub.sql<{ synced: string }>(
    `SELECT count(*) AS synced FROM deployment_status WHERE sync_state = 'Synced' AND health = 'Healthy'`,
  );
  return Number(row!.synced);
}

/** Per pair, ms from `sinceWall` until the hub first recorded it Synced + Healthy. */
async function firstSyncedAt(fleet: GitOpsFleet, sinceWall: number): Promise<number[]> {
  const rows = await fleet.ops.hub.sql<{ ms: string }>(
    `SELECT extract(epoch FROM min(recorded_at)) * 1000 - $1 AS ms FROM sync_history
      WHERE sync_state = 'Synced' AND health = 'Healthy' GROUP BY binding_id, cluster_id`,
    [sinceWall],
  );
  return rows.map((row) => Number(row.ms));
}
