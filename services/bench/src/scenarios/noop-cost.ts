import { GitOpsFleet } from '../gitops-fleet.js';
import { pick, type BenchOptions } from '../options.js';
import { report } from '../report.js';
import { round } from '../stats.js';

/**
 * Kubernetes API writes per resync when nothing changed: N agents with B bindings × O
 * ConfigMaps settle, then run `samples` periodic resyncs; the write (and resourceVersion)
 * counters of every KubeTestServer over that window, divided by the resyncs, should be 0.
 */
export async function noopCost(options: BenchOptions) {
  const agents = pick(options.agents, options.quick, 3, 10);
  const bindings = pick(options.bindings, options.quick, 3, 10);
  const objects = pick(options.objects, options.quick, 5, 20);
  const resyncs = pick(options.samples, options.quick, 3, 5);
  const resyncIntervalMs = 2_000;

  const fleet = await GitOpsFleet.start({ agents, bindings, objects, resyncIntervalMs });
  try {
    const settleMs = Math.round(await fleet.settle());
    const initialWrites = fleet.clusters.reduce((sum, c) => sum + c.kube.stats.writes, 0);
    // Let the first post-apply resync and the last status reports pass before counting.
    await new Promise((resolve) => setTimeout(resolve, resyncIntervalMs + 500));
    const before = fleet.clusters.map((c) => ({ ...c.kube.stats, changes: c.kube.stats.changes }));
    const windowMs = resyncs * resyncIntervalMs;
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    let writes = 0;
    let changes = 0;
    let requests = 0;
    for (const [i, c] of fleet.clusters.entries()) {
      writes += c.kube.stats.writes - before[i]!.writes;
      changes += c.kube.stats.changes - before[i]!.changes;
      requests += c.kube.stats.requests - before[i]!.requests;
    }
    const agentResyncs = agents * resyncs;
    await report({
      scenario: 'noop-cost',
      parameters: { agents, bindings, objects, resyncs, resyncIntervalMs },
      results: [
        { metric: 'all Synced after last binding created', value: settleMs, unit: 'ms' },
        { metric: 'API writes during initial sync', value: initialWrites, unit: 'writes' },
        {
          metric: 'API writes per resync',
          value: round(writes / agentResyncs, 2),
          unit: 'writes',
          target: '= 0',
        },
        {
          metric: 'object changes per resync',
          value: round(changes / agentResyncs, 2),
          unit: 'changes',
          target: '= 0',
        },
        { metric: 'API requests per resync', value: round(requests / agentResyncs, 1), unit: 'requests' },
        { metric: 'total writes in window', value: writes, unit: 'writes' },
      ],
      notes: [
        `resyncs counted as window / interval (${windowMs} ms / ${resyncIntervalMs} ms per agent), not observed`,
        'writes = non-dry-run create/update/patch/delete requests; changes = resourceVersion bumps',
      ],
    });
  } finally {
    await fleet.stop();
  }
}
