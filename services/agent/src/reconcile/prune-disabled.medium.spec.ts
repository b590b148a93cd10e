import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigMapInventoryStore } from './inventory-store.js';
import { AGENT_NAMESPACE, BINDING_ID, configMap, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

it('does not delete an object annotated flotilla.dev/prune: disabled, and forgets it', async () => {
  const orphan = configMap('orphan', { a: '1' });
  orphan.metadata.annotations = { 'flotilla.dev/prune': 'disabled' };
  await f.reconciler.reconcile(f.input([configMap('keep', { k: 'v' }), orphan]));

  const result = await f.reconciler.reconcile(f.input([configMap('keep', { k: 'v' })]));

  expect(result.syncState).toBe('Synced');
  expect(result.objects.map((o) => o.name)).toEqual(['keep']);
  const live = await f.manager.get({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    namespace: 'team-a',
    name: 'orphan',
  });
  expect(live?.data).toEqual({ a: '1' });
  const inventory = await new ConfigMapInventoryStore(f.manager, AGENT_NAMESPACE).load(BINDING_ID);
  expect(inventory?.entries.map((e) => e.name)).toEqual(['keep']);
});
