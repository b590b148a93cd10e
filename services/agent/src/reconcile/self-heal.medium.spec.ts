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

it('reverts drift when the binding self-heals, keeping other managers\u2019 own fields', async () => {
  const input = f.input([deployment('web', 'nginx:1.27', 2)], { syncPolicy: { selfHeal: true } });
  await f.reconciler.reconcile(input);
  await editAsOtherManager(f, deploymentId('web'), (live) => {
    const spec = live.spec as { replicas: number; template: { spec: { containers: { image: string }[] } } };
    spec.replicas = 5;
    spec.template.spec.containers[0]!.image = 'nginx:evil';
    live.metadata.annotations = { ...live.metadata.annotations, 'team.example/on-call': 'alice' };
  });

  const result = await f.reconciler.reconcile(input);

  expect(result.syncState).toBe('Synced');
  expect(result.objects).toEqual([
    expect.objectContaining({
      action: 'configured',
      driftedFields: ['spec.replicas', 'spec.template.spec.containers[0].image'],
    }),
  ]);
  const live = await f.manager.get(deploymentId('web'));
  expect(live?.spec).toMatchObject({
    replicas: 2,
    template: { spec: { containers: [{ image: 'nginx:1.27' }] } },
  });
  expect(live?.metadata.annotations?.['team.example/on-call']).toBe('alice');
});
