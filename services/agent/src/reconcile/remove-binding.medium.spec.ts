import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigMapInventoryStore } from './inventory-store.js';
import { AGENT_NAMESPACE, configMap, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

const id = (name: string) => ({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'team-a', name });

it('prunes everything a removed binding applied and deletes its inventory', async () => {
  await f.reconciler.reconcile(
    f.input([configMap('one', { a: '1' }), configMap('two', { b: '2' })], { bindingId: 'gone' }),
  );
  await f.manager.serverSideApply(configMap('by-hand', { c: '3' }, 'team-a'));
  const store = new ConfigMapInventoryStore(f.manager, AGENT_NAMESPACE);
  expect(await store.list()).toContain('gone');

  const result = await f.reconciler.removeBinding('gone');

  expect(result.syncState).toBe('Synced');
  expect(result.objects.map((o) => [o.name, o.action]).sort()).toEqual([
    ['one', 'pruned'],
    ['two', 'pruned'],
  ]);
  expect(await f.manager.get(id('one'))).toBeUndefined();
  expect(await f.manager.get(id('by-hand'))).toBeDefined();
  expect(await store.load('gone')).toBeUndefined();
  expect(await store.list()).not.toContain('gone');
});

it('orphans the objects when asked, deleting only the inventory', async () => {
  await f.reconciler.reconcile(f.input([configMap('stays', { a: '1' })], { bindingId: 'orphaned' }));

  const result = await f.reconciler.removeBinding('orphaned', { orphan: true });

  expect(result.objects).toEqual([]);
  expect(await f.manager.get(id('stays'))).toBeDefined();
  expect(await new ConfigMapInventoryStore(f.manager, AGENT_NAMESPACE).load('orphaned')).toBeUndefined();
});
