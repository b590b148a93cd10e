import { TestHub } from '../../../hub/test/harness.js';
import { pick, type BenchOptions } from '../options.js';
import { report, type ResultRow } from '../report.js';
import { round, summarize, timed } from '../stats.js';

/**
 * `GET /api/v1/fleet/status` at fleet size: N clusters × B bindings of deployment rows seeded by
 * SQL into a fresh hub database (as the fleet medium test does, without the ingest), then
 * `samples` requests of each query shape, timed end to end over HTTP on loopback.
 */
export async function fleetStatus(options: BenchOptions) {
  const clusters = pick(options.clusters ?? options.agents, options.quick, 1_000, 10_000);
  const bindings = pick(options.bindings, options.quick, 10, 10);
  const samples = pick(options.samples, options.quick, 50, 50);
  const limit = 100;

  const hub = await TestHub.start();
  try {
    const seedStart = Date.now();
    await seed(hub, clusters, bindings);
    const seedMs = Date.now() - seedStart;
    const [{ version }] = await hub.sql<{ version: string }>(`SHOW server_version`);

    const get = async (query: string) => {
      const answer = await hub.call('GET', `/api/v1/fleet/status${query}`);
      if (answer.status !== 200) throw new Error(`fleet/status${query}: ${answer.status}`);
      return answer.body as { items: unknown[]; rollups: unknown[] | null; nextCursor: string | null };
    };
    // Warm the hub (JIT, connection pool, Postgres caches) before timing.
    for (let i = 0; i < 5; i++) await get(`?limit=${limit}`);

    const shapes: Record<string, (i: number) => Promise<unknown>> = {};
    shapes['first page + rollups'] = () => get(`?limit=${limit}`);
    // A cursor walk: each sample is the next page after the previous one.
    let cursor: string | null = null;
    shapes['next page (cursor)'] = async () => {
      const page = await get(`?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      cursor = page.nextCursor;
    };
    shapes['one binding'] = (i) => get(`?limit=${limit}&binding=b-${String(i % bindings).padStart(3, '0')}`);
    shapes['state=OutOfSync'] = () => get(`?limit=${limit}&state=OutOfSync`);
    shapes['labelSelector env=prod'] = () =>
      get(`?limit=${limit}&labelSelector=${encodeURIComponent('env=prod')}`);

    const results: ResultRow[] = [
      { metric: 'rows seeded', value: clusters * bindings, unit: 'rows' },
      { metric: 'seed time', value: seedMs, unit: 'ms' },
    ];
    for (const [name, run] of Object.entries(shapes)) {
      const times: number[] = [];
      for (let i = 0; i < samples; i++) times.push((await timed(() => run(i))).ms);
      const s = summarize(times);
      results.push(
        { metric: `${name} p50`, value: round(s.p50), unit: 'ms' },
        { metric: `${name} p95`, value: round(s.p95), unit: 'ms', target: '≤ 100 ms' },
      );
    }
    await report(
      {
        scenario: 'fleet-status',
        parameters: { clusters, bindings, samples, pageLimit: limit },
        results,
        notes: ['hub in-process with the benchmark client; Postgres on the same machine'],
      },
      { postgres: version },
    );
  } finally {
    await hub.stop();
  }
}

/**
 * One tenant with `bindings` bindings, each with a passed revision and bundle; `clusters`
 * clusters labelled env/region, each assigned every binding; one deployment row per pair:
 * ~93% Synced/Healthy, 5% OutOfSync, 2% Failed/Degraded. The rows go in after the assignments,
 * so the hub's triggers derive the shown sync state and the rollups as the ingest would.
 */
export async function seed(hub: TestHub, clusters: number, bindings: number) {
  await hub.tenant('bench');
  await hub.sql(`
    INSERT INTO git_repository (id, tenant_id, name, url, webhook_secret_sealed, poll_interval_seconds)
    SELECT gen_random_uuid(), id, 'apps', 'https://git.example/apps.git', 'x', 60 FROM tenant WHERE slug = 'bench'`);
  await hub.sql(
    `INSERT INTO binding (tenant_id, name, repository_id, ref, path, cluster_selector, namespace, sync_policy)
     SELECT r.tenant_id, 'b-' || lpad(i::text, 3, '0'), r.id, 'main', '.', '{}', 'bench-' || i, '{}'
     FROM git_repository r, generate_series(0, $1 - 1) i`,
    [bindings],
  );
  await hub.sql(`
    INSERT INTO bundle (digest, bytes, signature)
    SELECT 'sha256:' || encode(sha256(id::text::bytea), 'hex'), '\\x00', 's' FROM binding`);
  await hub.sql(`
    INSERT INTO revision (binding_id, number, commit, source_key, status, checks, bundle_digest)
    SELECT id, 1, repeat('c', 40), 'key-' || name, 'passed', '{}', 'sha256:' || encode(sha256(id::text::bytea), 'hex')
    FROM binding`);
  await hub.sql(
    `INSERT INTO cluster (id, name, tenant_id, labels, created_by)
     SELECT gen_random_uuid(), 'c-' || lpad(i::text, 6, '0'), NULL,
            jsonb_build_object('env', CASE WHEN i % 4 = 0 THEN 'prod' ELSE 'dev' END, 'region', 'r' || (i % 8)),
            'bench'
     FROM generate_series(1, $1) i`,
    [clusters],
  );
  await hub.sql(`
    WITH b AS (
      SELECT jsonb_agg(b.id ORDER BY b.name) AS ids, jsonb_agg(r.bundle_digest ORDER BY b.name) AS digests
      FROM binding b JOIN revision r ON r.binding_id = b.id)
    INSERT INTO assignment_state (cluster_id, document_hash, revision, binding_ids, bundle_digests)
    SELECT c.id, 'h', 1, b.ids, b.digests FROM cluster c, b`);
  await hub.sql(`
    INSERT INTO deployment_status (binding_id, cluster_id, tenant_id, applied_digest, commit, sync_state, health,
                                   objects, durations, report_seq)
    SELECT b.id, c.id, b.tenant_id, r.bundle_digest, r.commit,
           CASE WHEN h < 5 THEN 'OutOfSync' WHEN h < 7 THEN 'Failed' ELSE 'Synced' END,
           CASE WHEN h >= 5 AND h < 7 THEN 'Degraded' ELSE 'Healthy' END,
           '[]', '{"totalMs": 5}', 1
    FROM binding b JOIN revision r ON r.binding_id = b.id CROSS JOIN cluster c,
         LATERAL (SELECT abs(hashtext(c.name || b.name)) % 100 AS h) x`);
  // The status triggers appended one rollup delta per row; fold them now rather than on the
  // hub's next compaction tick, so the first timed samples read what a settled hub reads.
  await hub.sql(`SELECT fleet_rollup_compact()`);
  await hub.sql(`ANALYZE`);
}
