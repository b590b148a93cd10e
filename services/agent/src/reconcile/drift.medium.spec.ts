import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  deployment,
  deploymentId,
  editAsOtherManager,
  startFixture,
  type Fixture,
} from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

it('reports a field edited by another manager as drift, with its path, without reverting it', async () => {
  const input = f.input([deployment('web', 'nginx:1.27', 2)]);
  await f.reconciler.reconcile(input);
  await editAsOtherManager(f, deploymentId('web'), (live) => {
    (live.spec as { replicas: number }).replicas = 5;
  });
  f.server.stats.reset();

  const result = await f.reconciler.reconcile(input);

  expect(result.syncState).toBe('OutOfSync');
  expect(result.objects).toEqual([
    expect.objectContaining({
      kind: 'Deployment',
      name: 'web',
      action: 'drifted',
      driftedFields: ['spec.replicas'],
    }),
  ]);
  expect(f.server.stats.writes).toBe(0);
  expect((await f.manager.get(deploymentId('web')))?.spec).toMatchObject({ replicas: 5 });
});

it('does not count fields that only another manager sets as drift', async () => {
  const input = f.input([deployment('api', 'nginx:1.27')]);
  await f.reconciler.reconcile(input);
  await editAsOtherManager(f, deploymentId('api'), (live) => {
    live.metadata.annotations = { ...live.metadata.annotations, 'team.example/on-call': 'alice' };
    (live.spec as { revisionHistoryLimit: number }).revisionHistoryLimit = 3;
  });

  const result = await f.reconciler.reconcile(input);

  expect(result.syncState).toBe('Synced');
  expect(result.objects.map((o) => [o.name, o.action])).toEqual([['api', 'unchanged']]);
});
