import type { Assignment } from '@flotilla/contracts';
import { GitTestServer } from '@flotilla/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDirectory } from '../src/scheduler/cluster-directory.js';
import { GitOpsHub, deployment, prodGrant } from './gitops-fixture.js';

const CLUSTERS = 300;

describe('scheduler: recomputing hundreds of clusters in batches', () => {
  let git: GitTestServer;
  let ops: GitOpsHub;
  /** Sorted cluster ids, and each one's label group: i % 4 of c-<i>, three prod regions and dev. */
  let ids: string[];
  const group = new Map<string, number>();

  beforeAll(async () => {
    git = await GitTestServer.start();
    ops = await GitOpsHub.start(git);
    await ops.hub.tenant('team-a');
    expect((await ops.call('POST', '/tenants/team-a/grants', prodGrant)).status).toBe(201);
    const repo = await git.createRepo('apps');
    await repo.commitFiles(
      {
        'web/deployment.yaml': deployment('web', 'nginx:1'),
        'api/deployment.yaml': deployment('api', 'api:1'),
      },
      'apps',
    );
    expect(
      (await ops.call('POST', '/tenants/team-a/repositories', { name: 'apps', url: repo.url })).status,
    ).toBe(201);
    for (const [name, clusterSelector] of [
      ['web', { matchLabels: { env: 'prod' } }],
      ['api', {}],
    ] as const) {
      const created = await ops.call('POST', '/tenants/team-a/bindings', {
        name,
        repository: 'apps',
        ref: 'main',
        path: name,
        clusterSelector,
        namespace: `team-a-${name}`,
        syncPolicy: { automated: true, prune: true, selfHeal: true },
      });
      expect(created.status).toBe(201);
    }
    // Inserted directly, unscheduled: the first recompute below is the cold start.
    const rows = await ops.hub.sql<{ id: string; i: number }>(
      `INSERT INTO cluster (id, name, tenant_id, labels, created_by)
       SELECT gen_random_uuid(), 'c-' || lpad(i::text, 4, '0'), NULL,
              CASE WHEN i % 4 = 3 THEN '{"env":"dev","region":"r0"}'::jsonb
                   ELSE jsonb_build_object('env', 'prod', 'region', 'r' || (i % 4)) END,
              'test'
       FROM generate_series(0, $1 - 1) i
       RETURNING id, substr(name, 3)::int AS i`,
      [CLUSTERS],
    );
    for (const row of rows) group.set(row.id, row.i % 4);
    ids = rows.map((row) => row.id).sort();
  });
  afterAll(async () => {
    await ops?.stop();
    await git?.stop();
  });

  const assignments = () => Promise.all(ids.map((id) => ops.assignment(id)));
  const boundNames = (assignment: { bindings: { name: string }[] } | null) =>
    (assignment?.bindings ?? []).map((binding) => binding.name).sort();

  it('publishes every cluster exactly once with the bindings its labels select, then nothing', async () => {
    const published = await ops.scheduler.recompute(ids);
    expect(published).toEqual(ids);
    for (const [index, assignment] of (await assignments()).entries()) {
      expect(assignment?.revision).toBe(1);
      // The grant covers env=prod only, so dev clusters get no binding at all.
      expect(boundNames(assignment)).toEqual(group.get(ids[index]!) === 3 ? [] : ['api', 'web']);
    }
    expect(await ops.scheduler.recomputeAll()).toEqual([]);
    expect((await assignments()).every((assignment) => assignment?.revision === 1)).toBe(true);
  });

  it('drops exactly the clusters whose grants refuse the bundles', async () => {
    // Region r2 keeps limits (from a grant of its own) but they refuse every team-a-* namespace.
    const narrowed = await ops.call('PATCH', '/tenants/team-a/grants/prod', {
      clusterSelector: {
        matchLabels: { env: 'prod' },
        matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['r2'] }],
      },
    });
    expect(narrowed.status).toBe(200);
    const elsewhere = await ops.call('POST', '/tenants/team-a/grants', {
      ...prodGrant,
      name: 'r2-elsewhere',
      clusterSelector: { matchLabels: { region: 'r2' } },
      namespaces: ['elsewhere-*'],
    });
    expect(elsewhere.status).toBe(201);
    for (const [index, assignment] of (await assignments()).entries()) {
      const clusterGroup = group.get(ids[index]!);
      expect(boundNames(assignment)).toEqual(clusterGroup === 2 || clusterGroup === 3 ? [] : ['api', 'web']);
      expect(assignment?.revision).toBe(clusterGroup === 2 ? 2 : 1);
    }
  });

  it('concurrent recomputes of overlapping sets leave every cluster on its final desired set', async () => {
    const contentOf = (assignment: Assignment | null) => ({
      tenants: assignment?.tenants,
      bindings: assignment?.bindings,
    });
    let before = await assignments();
    for (let round = 1; round <= 4; round++) {
      // Move a different third of the clusters between prod and dev, then recompute
      // overlapping sets (each cluster in two or more) at the same time.
      await ops.hub.sql(
        `UPDATE cluster SET labels = CASE WHEN labels->>'env' = 'dev'
           THEN jsonb_build_object('env', 'prod', 'region', 'r' || ($1::int % 3))
           ELSE '{"env":"dev","region":"r0"}'::jsonb END
         WHERE id = ANY($2::uuid[])`,
        [round, ids.filter((_, index) => index % 3 === round % 3)],
      );
      const third = Math.floor(CLUSTERS / 3);
      await Promise.all([
        ops.scheduler.recompute(ids.slice(0, 2 * third)),
        ops.scheduler.recompute(ids.slice(third)),
        ops.scheduler.recompute([...ids].reverse()),
        ops.scheduler.recomputeAll(),
      ]);
      const after = await assignments();
      const stateRevisions = new Map(
        (
          await ops.hub.sql<{ cluster_id: string; revision: number }>(
            `SELECT cluster_id, revision FROM assignment_state`,
          )
        ).map((row) => [row.cluster_id, row.revision]),
      );
      const clusters = new Map(
        (await ops.hub.app.get(ClusterDirectory).all()).map((cluster) => [cluster.id, cluster]),
      );
      for (const [index, assignment] of after.entries()) {
        const id = ids[index]!;
        const previous = before[index]!;
        expect(contentOf(assignment)).toEqual(await ops.scheduler.desired(clusters.get(id)!));
        expect(assignment!.revision).toBe(stateRevisions.get(id));
        // A new revision exactly when the content changed (once, however many recomputes ran).
        const changed = JSON.stringify(contentOf(assignment)) !== JSON.stringify(contentOf(previous));
        expect(assignment!.revision).toBe(previous.revision + (changed ? 1 : 0));
      }
      before = after;
    }
  });
});
