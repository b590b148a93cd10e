import { GitOpsFleet } from '../gitops-fleet.js';
import { pick, type BenchOptions } from '../options.js';
import { report } from '../report.js';
import { round, summarize } from '../stats.js';

/**
 * Webhook commit → the hub shows every (binding, cluster) pair Synced + Healthy on that commit,
 * for `samples` commits in a row, each changing every ConfigMap of every binding.
 */
export async function propagation(options: BenchOptions) {
  const agents = pick(options.agents, options.quick, 5, 100);
  const bindings = pick(options.bindings, options.quick, 1, 1);
  const objects = pick(options.objects, options.quick, 5, 5);
  const commits = pick(options.samples, options.quick, 20, 20);

  const fleet = await GitOpsFleet.start({ agents, bindings, objects, resyncIntervalMs: 60_000 });
  try {
    await fleet.settle();
    const times: number[] = [];
    const toRevision: number[] = [];
    const toPublished: number[] = [];
    for (let i = 1; i <= commits; i++) {
      const { commit, sentAt, sentWall } = await fleet.push(`v${i}`);
      times.push(await fleet.settle(commit, sentAt));
      const { revisionAt, publishedAt } = await fleet.milestones(commit);
      toRevision.push(revisionAt - sentWall);
      toPublished.push(publishedAt - sentWall);
    }
    const s = summarize(times);
    const r = summarize(toRevision);
    const p = summarize(toPublished);
    await report({
      scenario: 'propagation',
      parameters: { agents, bindings, objects, commits, backend: fleet.setup.backend },
      results: [
        { metric: 'webhook → revision stored p50', value: round(r.p50), unit: 'ms' },
        { metric: 'webhook → last assignment published p50', value: round(p.p50), unit: 'ms' },
        { metric: 'webhook → last assignment published p95', value: round(p.p95), unit: 'ms' },
        { metric: 'webhook → all Applied p50', value: round(s.p50), unit: 'ms' },
        { metric: 'webhook → all Applied p95', value: round(s.p95), unit: 'ms' },
        {
          metric: 'webhook → all Applied p99',
          value: round(s.p99),
          unit: 'ms',
          target: '≤ 3000 ms at N=1000',
        },
        { metric: 'webhook → all Applied max', value: round(s.max), unit: 'ms' },
      ],
      notes: [
        '"Applied" = GET /fleet/status shows every pair Synced + Healthy on the commit, polled every 50 ms',
        ...fleet.notes,
      ],
    });
  } finally {
    await fleet.stop();
  }
}
