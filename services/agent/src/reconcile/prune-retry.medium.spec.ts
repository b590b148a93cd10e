import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigMapInventoryStore } from './inventory-store.js';
import { AGENT_NAMESPACE, BINDING_ID, configMap, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

it('keeps an object whose deletion failed in the inventory and prunes it on the next reconcile', async () => {
  await f.reconciler.reconcile(f.input([configMap('keep', { a: '1' }), configMap('stuck', { b: '2' })]));
  f.server.faults.inject({ status: 500, match: { verb: 'delete', resource: 'configmaps' } });
  const input = f.input([configMap('keep', { a: '1' })]);

  const failed = await f.reconciler.reconcile(input);

  expect(failed).toMatchObject({ syncState: 'Failed', reason: 'PruneFailed' });
  expect(failed.objects.find((o) => o.name === 'stuck')).toMatchObject({ action: 'failed' });
  const inventory = await new ConfigMapInventoryStore(f.manager, AGENT_NAMESPACE).load(BINDING_ID);
  expect(inventory?.entries.map((e) => e.name)).toEqual(['keep', 'stuck']);

  f.server.faults.reset();
  // Same bundle, no self-heal: the pending prune alone is reason to act again.
  const retried = await f.reconciler.reconcile(input);

  expect(retried.syncState).toBe('Synced');
  expect(retried.objects.map((o) => [o.name, o.action])).toEqual([
    ['keep', 'unchanged'],
    ['stuck', 'pruned'],
  ]);
  expect(
    await f.manager.get({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'stuck' }),
  ).toBeUndefined();
});
