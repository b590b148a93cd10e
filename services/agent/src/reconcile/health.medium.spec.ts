import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BindingResult } from './binding.js';
import { deployment, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ server: { simulateControllers: { availabilityDelayMs: 300 } } });
});
afterAll(() => f.stop());

it('reports a new Deployment as Progressing, then Healthy once its replicas are available', async () => {
  const input = f.input([deployment('web', 'nginx:1.27', 2)]);

  const first = await f.reconciler.reconcile(input);
  expect(first.health).toBe('Progressing');
  expect(first.objects[0]).toMatchObject({ kind: 'Deployment', health: 'Progressing' });

  let latest: BindingResult = first;
  const deadline = Date.now() + 10_000;
  while (latest.health !== 'Healthy' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    latest = await f.reconciler.reconcile(input);
  }
  expect(latest.health).toBe('Healthy');
  expect(latest.objects[0]).toMatchObject({ action: 'unchanged', health: 'Healthy' });
  expect(latest.syncState).toBe('Synced');
});
