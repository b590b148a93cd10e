import { GitTestServer } from '@flotilla/testing';
import { BindingsRepository } from '../../../hub/src/bindings/bindings.repository.js';
import { GitRepositoriesRepository } from '../../../hub/src/repositories/git-repositories.repository.js';
import { RevisionService } from '../../../hub/src/revisions/revision.service.js';
import { GitFetcher } from '../../../hub/src/sources/index.js';
import { GitOpsHub, deployment } from '../../../hub/test/gitops-fixture.js';
import { createBindings, registerRepository, TENANT } from '../gitops-repo.js';
import { pick, type BenchOptions } from '../options.js';
import { report } from '../report.js';
import { round, timed } from '../stats.js';

/** Clusters are spread over this many label groups (env=prod, region r0…): all get every binding. */
const REGIONS = 4;

/**
 * The scheduler alone, no agents: N clusters × B bindings (one Git directory and revision
 * each) in a hub with managed NATS, timing `recomputeAll()` with nothing published yet (the
 * hub's cold start), again with nothing changed, and `bindingsChanged` of one binding that got
 * a new revision (one commit's propagation, up to the KV writes).
 */
export async function scheduler(options: BenchOptions) {
  const clusters = pick(options.clusters ?? options.agents, options.quick, 100, 1_000);
  const bindings = pick(options.bindings, options.quick, 10, 50);

  const git = await GitTestServer.start();
  const ops = await GitOpsHub.start(git);
  try {
    const repo = await git.createRepo('apps');
    const files = (imageOf: (binding: number) => string) =>
      Object.fromEntries(
        Array.from({ length: bindings }, (_, b) => [
          `b${b}/deployment.yaml`,
          deployment(`app-${b}`, imageOf(b)),
        ]),
      );
    await registerRepository(
      ops,
      repo,
      files(() => 'nginx:1'),
    );
    await createBindings(ops, bindings);
    // Inserted directly, so none is scheduled before the cold start is timed.
    await ops.hub.sql(
      `INSERT INTO cluster (id, name, tenant_id, labels, created_by)
       SELECT gen_random_uuid(), 'c-' || lpad(i::text, 6, '0'), NULL,
              jsonb_build_object('env', 'prod', 'region', 'r' || (i % $2)), 'bench'
       FROM generate_series(1, $1) i`,
      [clusters, REGIONS],
    );

    const cold = await timed(() => ops.scheduler.recomputeAll());
    const unchanged = await timed(() => ops.scheduler.recomputeAll());
    const commit = await repo.commitFiles(
      files((b) => (b === 0 ? 'nginx:2' : 'nginx:1')),
      'new image for b0',
    );
    const bindingId = await recordRevision(ops, 'b-0', commit);
    const newRevision = await timed(() => ops.scheduler.bindingsChanged([bindingId]));

    const rows = (name: string, result: { ms: number; value: string[] }) => [
      { metric: `${name}: total`, value: round(result.ms), unit: 'ms' },
      { metric: `${name}: per cluster`, value: round(result.ms / clusters, 2), unit: 'ms' },
      { metric: `${name}: assignments published`, value: result.value.length, unit: 'clusters' },
    ];
    await report({
      scenario: 'scheduler',
      parameters: { clusters, bindings, labelGroups: REGIONS },
      results: [
        ...rows('cold start (recomputeAll, nothing published)', cold),
        ...rows('recomputeAll, nothing changed', unchanged),
        ...rows('one binding got a new revision (bindingsChanged)', newRevision),
      ],
      notes: [
        'hub in-process, managed NATS as a child process, Postgres on the same machine; no agents',
        'cold-start target (issue): 1,000 × 50 ≤ 120 s; a commit must reach all 1,000 agents p99 ≤ 3 s',
      ],
    });
  } finally {
    await ops.stop().catch(() => undefined);
    await git.stop().catch(() => undefined);
  }
}

/**
 * What a refresh does for one binding before it calls the scheduler: fetch the commit and
 * record the binding's revision. Returns the binding's id.
 */
async function recordRevision(ops: GitOpsHub, name: string, commit: string): Promise<string> {
  const tenantId = await ops.tenantId(TENANT);
  const binding = (await ops.hub.app.get(BindingsRepository).findByName(tenantId, name))!;
  const repository = (await ops.hub.app.get(GitRepositoriesRepository).findByName(tenantId, 'apps'))!;
  const fetched = await ops.hub.app
    .get(GitFetcher)
    .fetch({ repoId: repository.id, url: repository.url, ref: binding.ref });
  if (fetched.commit !== commit) throw new Error(`fetched ${fetched.commit}, expected ${commit}`);
  if (!(await ops.hub.app.get(RevisionService).record(binding, repository, TENANT, commit)))
    throw new Error(`binding ${name} got no new revision at ${commit}`);
  return binding.id;
}
