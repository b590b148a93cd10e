import { randomUUID } from 'node:crypto';
import type { BindingStatus } from '@flotilla/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentIngest } from '../src/deployments/deployment-ingest.js';
import { TestHub, type Json } from './harness.js';

/**
 * The fleet view reads trigger-maintained numbers: `deployment_status.shown_sync_state` and the
 * `fleet_rollup` deltas. After every kind of change (a report, an assignment moving on, a
 * binding or cluster deleted, concurrent reports and publishes) they must equal a brute-force
 * recount from the raw rows: the table itself key by key, and the API's rows and rollups under
 * each filter, before and after the deltas are compacted. Reports go through the real ingest;
 * assignments are written as the scheduler writes them (rows in `assignment_state`).
 */
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const commit = (c: string) => c.repeat(40);

/** The shown sync state as the fleet API defined it before it was stored: recomputed per row. */
const BRUTE_FORCE_ROWS = `
  SELECT tenant.slug AS tenant, binding.name AS binding, cluster.name AS cluster,
         cluster.labels ->> 'env' AS env, ds.tenant_id, ds.binding_id, ds.commit, ds.health,
         CASE WHEN ds.sync_state = 'Synced' AND COALESCE(
             jsonb_exists(a.binding_ids, CAST(ds.binding_id AS text))
             AND NOT jsonb_exists(a.bundle_digests, ds.applied_digest), false)
           THEN 'OutOfSync' ELSE ds.sync_state END AS "syncState"
  FROM deployment_status ds
  JOIN tenant ON tenant.id = ds.tenant_id
  JOIN binding ON binding.id = ds.binding_id
  JOIN cluster ON cluster.id = ds.cluster_id
  LEFT JOIN assignment_state a ON a.cluster_id = CAST(ds.cluster_id AS text)`;

interface BruteRow {
  tenant: string;
  binding: string;
  cluster: string;
  env: string;
  tenant_id: string;
  binding_id: string;
  commit: string;
  health: string;
  syncState: string;
}

interface Filter {
  tenant?: string;
  binding?: string;
  state?: string;
  env?: string;
}

const FILTERS: Filter[] = [
  {},
  { tenant: 'team-a' },
  { binding: 'web' },
  { state: 'Synced' },
  { state: 'OutOfSync' },
  { state: 'Failed' },
  { state: 'Degraded' },
  { state: 'Healthy' },
  { env: 'prod' },
  { env: 'dev', state: 'OutOfSync' },
];

const SYNC_COUNTS = { synced: 'Synced', outOfSync: 'OutOfSync', failed: 'Failed' } as const;
const HEALTH_COUNTS = {
  healthy: 'Healthy',
  progressing: 'Progressing',
  degraded: 'Degraded',
  missing: 'Missing',
  unknown: 'Unknown',
} as const;

/** The rollups the API must answer for `filter`, counted from the brute-force rows. */
function recount(rows: BruteRow[], filter: Filter) {
  const groups = new Map<string, Json>();
  for (const row of rows.filter((r) => matches(r, filter))) {
    const key = `${row.tenant}\u0000${row.binding}\u0000${row.commit}`;
    let group = groups.get(key);
    if (!group) {
      group = { tenant: row.tenant, binding: row.binding, commit: row.commit, clusters: 0 };
      for (const name of [...Object.keys(SYNC_COUNTS), ...Object.keys(HEALTH_COUNTS)]) group[name] = 0;
      groups.set(key, group);
    }
    group.clusters++;
    for (const [name, state] of Object.entries(SYNC_COUNTS)) if (row.syncState === state) group[name]++;
    for (const [name, health] of Object.entries(HEALTH_COUNTS)) if (row.health === health) group[name]++;
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}

function matches(row: BruteRow, filter: Filter) {
  return (
    (filter.tenant === undefined || row.tenant === filter.tenant) &&
    (filter.binding === undefined || row.binding === filter.binding) &&
    (filter.state === undefined || row.syncState === filter.state || row.health === filter.state) &&
    (filter.env === undefined || row.env === filter.env)
  );
}

const queryOf = (filter: Filter) =>
  new URLSearchParams({
    limit: '500',
    ...(filter.tenant && { tenant: filter.tenant }),
    ...(filter.binding && { binding: filter.binding }),
    ...(filter.state && { state: filter.state }),
    ...(filter.env && { labelSelector: `env=${filter.env}` }),
  }).toString();

describe('fleet rollups and shown sync state stay exact', () => {
  let hub: TestHub;
  const binding: Record<string, string> = {};
  const cluster: Record<string, string> = {};
  let seq = 0;

  const report = (
    clusterName: string,
    ...reports: {
      binding: string;
      n: number;
      sync?: BindingStatus['syncState'];
      health?: BindingStatus['health'];
    }[]
  ) =>
    hub.app.get(DeploymentIngest).ingest(cluster[clusterName]!, {
      kind: 'status',
      seq: ++seq,
      sentAt: new Date().toISOString(),
      assignmentRevision: 1,
      bindings: reports.map((r) => ({
        bindingId: binding[r.binding]!,
        appliedDigest: digest(r.n),
        commit: commit(String.fromCharCode(96 + r.n)),
        syncState: r.sync ?? 'Synced',
        health: r.health ?? 'Healthy',
        objects: [],
        durations: { totalMs: 5 },
      })),
    });

  /** Publishes an assignment naming `bundles` (binding name → bundle number) to the cluster. */
  const assign = (clusterName: string, bundles: Record<string, number>) =>
    hub.sql(
      `INSERT INTO assignment_state (cluster_id, document_hash, revision, binding_ids, bundle_digests)
       VALUES ($1, 'h', 1, $2, $3)
       ON CONFLICT (cluster_id) DO UPDATE SET binding_ids = excluded.binding_ids,
         bundle_digests = excluded.bundle_digests, revision = assignment_state.revision + 1`,
      [
        cluster[clusterName],
        JSON.stringify(Object.keys(bundles).map((name) => binding[name])),
        JSON.stringify(Object.values(bundles).map(digest)),
      ],
    );

  async function expectExact() {
    for (const compacted of [false, true]) {
      const rows = await hub.sql<BruteRow>(BRUTE_FORCE_ROWS);
      // The table, key by key: the sum of a key's deltas is the number of rows with that key.
      const stored = await hub.sql(
        `SELECT tenant_id, binding_id, commit, shown_sync_state AS "syncState", health,
                CAST(sum(clusters) AS int) AS clusters
         FROM fleet_rollup GROUP BY 1, 2, 3, 4, 5 HAVING sum(clusters) <> 0`,
      );
      const counted = new Map<string, number>();
      for (const row of rows) {
        const key = [row.tenant_id, row.binding_id, row.commit, row.syncState, row.health].join('|');
        counted.set(key, (counted.get(key) ?? 0) + 1);
      }
      expect(
        new Map(
          stored.map((r) => [
            [r.tenant_id, r.binding_id, r.commit, r.syncState, r.health].join('|'),
            r.clusters,
          ]),
        ),
        compacted ? 'after compaction' : 'before compaction',
      ).toEqual(counted);

      for (const filter of FILTERS) {
        const answer = await hub.call('GET', `/api/v1/fleet/status?${queryOf(filter)}`);
        expect(answer.status).toBe(200);
        expect(answer.body.rollups, JSON.stringify(filter)).toEqual(recount(rows, filter));
        const shown = (items: Json[]) =>
          items.map((i) => `${i.binding}@${i.cluster}:${i.syncState}/${i.health}`).sort();
        expect(shown(answer.body.items), JSON.stringify(filter)).toEqual(
          shown(rows.filter((row) => matches(row, filter))),
        );
      }
      await hub.sql(`SELECT fleet_rollup_compact()`);
    }
  }

  beforeAll(async () => {
    hub = await TestHub.start();
    let n = 0;
    for (const [slug, names] of [
      ['team-a', ['web', 'worker']],
      ['team-b', ['api']],
    ] as const) {
      await hub.tenant(slug);
      const [{ id: tenantId }] = await hub.sql(`SELECT id FROM tenant WHERE slug = $1`, [slug]);
      const repo = randomUUID();
      await hub.sql(
        `INSERT INTO git_repository (id, tenant_id, name, url, webhook_secret_sealed, poll_interval_seconds)
         VALUES ($1, $2, 'apps', 'https://git.example/apps.git', 'x', 60)`,
        [repo, tenantId],
      );
      for (const name of names) {
        [{ id: binding[name] }] = await hub.sql(
          `INSERT INTO binding (tenant_id, name, repository_id, ref, path, cluster_selector, namespace, sync_policy)
           VALUES ($1, $2, $3, 'main', '.', '{}', $4, '{}') RETURNING id`,
          [tenantId, name, repo, `${slug}-${name}`],
        );
        await hub.sql(`INSERT INTO bundle (digest, bytes, signature) VALUES ($1, '\\x00', 's')`, [
          digest(++n),
        ]);
      }
    }
    for (const [name, env] of [
      ['c1', 'prod'],
      ['c2', 'prod'],
      ['c3', 'dev'],
    ] as const) {
      cluster[name] = randomUUID();
      await hub.sql(
        `INSERT INTO cluster (id, name, tenant_id, labels, created_by) VALUES ($1, $2, NULL, $3, 'test')`,
        [cluster[name], name, JSON.stringify({ env })],
      );
      await assign(name, { web: 1, worker: 2, api: 3 });
    }
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('counts the first report of every pair', async () => {
    for (const name of ['c1', 'c2', 'c3'])
      await report(name, { binding: 'web', n: 1 }, { binding: 'worker', n: 2 }, { binding: 'api', n: 3 });
    await expectExact();
  });

  it('moves a pair between keys when a report changes its state, health or commit', async () => {
    await report('c1', { binding: 'web', n: 1, sync: 'Failed', health: 'Degraded' });
    await report(
      'c2',
      { binding: 'api', n: 3, health: 'Progressing' },
      { binding: 'worker', n: 2, sync: 'OutOfSync' },
    );
    // Synced on a bundle the assignment does not name (yet): shown OutOfSync, on the new commit.
    await report('c3', { binding: 'worker', n: 4 });
    await expectExact();
  });

  it('shows Synced as OutOfSync once the assignment moves on, and Synced when caught up', async () => {
    await assign('c1', { web: 5, worker: 2, api: 3 });
    await assign('c2', { web: 5, worker: 2, api: 3 });
    await expectExact();
    await report('c2', { binding: 'web', n: 5 });
    await assign('c3', { web: 1, worker: 4, api: 3 });
    await expectExact();
    // An assignment that no longer names the binding, or none at all: the state as reported.
    await assign('c1', { api: 3 });
    await hub.sql(`DELETE FROM assignment_state WHERE cluster_id = $1`, [cluster.c3]);
    await expectExact();
    await assign('c1', { web: 5, worker: 2, api: 3 });
    await assign('c3', { web: 1, worker: 2, api: 3 });
    await expectExact();
  });

  it('stays exact under concurrent reports and publishes', async () => {
    const states = ['Synced', 'OutOfSync', 'Failed'] as const;
    const healths = ['Healthy', 'Progressing', 'Degraded'] as const;
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const name = `c${(i % 3) + 1}`;
        if (i % 4 === 3) return assign(name, { web: i % 8 < 4 ? 1 : 5, worker: 2, api: 3 });
        return report(
          name,
          { binding: 'web', n: i % 2 ? 1 : 5, sync: states[i % 3], health: healths[(i >> 1) % 3] },
          { binding: 'api', n: 3, sync: states[(i + 1) % 3] },
        );
      }),
    );
    await expectExact();
  });

  it('drops the rows of a deleted binding or cluster', async () => {
    await hub.sql(`DELETE FROM binding WHERE id = $1`, [binding.worker]);
    await hub.sql(`DELETE FROM cluster WHERE id = $1`, [cluster.c2]);
    await expectExact();
  });
});
