import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClustersRepository } from '../src/clusters/clusters.repository.js';
import { TestHub } from './harness.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await TestHub.start();
});
afterAll(() => hub?.stop());

it('prunes raw reports received before the cutoff, in batches, and keeps the newer ones', async () => {
  const clusterId = randomUUID();
  await hub.sql(
    `INSERT INTO cluster (id, name, tenant_id, labels, created_by) VALUES ($1, 'edge-prune', NULL, '{}', 'test')`,
    [clusterId],
  );
  // 25,000 old reports (more than two delete batches) and 3 recent ones.
  await hub.sql(
    `INSERT INTO cluster_report (cluster_id, seq, received_at, assignment_revision, report)
     SELECT $1::uuid, seq, now() - interval '2 hours', 1, '{}'::jsonb FROM generate_series(1, 25000) AS seq
     UNION ALL
     SELECT $1::uuid, seq, now(), 1, '{}'::jsonb FROM generate_series(25001, 25003) AS seq`,
    [clusterId],
  );

  const pruned = await hub.app.get(ClustersRepository).pruneReports(new Date(Date.now() - 3600_000));

  expect(pruned).toBe(25_000);
  const left = await hub.sql<{ seq: string }>(
    `SELECT seq FROM cluster_report WHERE cluster_id = $1 ORDER BY seq`,
    [clusterId],
  );
  expect(left.map((row) => Number(row.seq))).toEqual([25001, 25002, 25003]);
});
