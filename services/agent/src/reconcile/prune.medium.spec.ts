import { afterAll, beforeAll, expect, it } from 'vitest';
import { configMap, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

const id = (name: string) => ({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'team-a', name });

it('prunes an object removed from the bundle and leaves hand-made objects alone', async () => {
  await f.reconciler.reconcile(f.input([configMap('keep', { a: '1' }), configMap('drop', { b: '2' })]));
  // Made by hand next to the binding's objects, without Flotilla's labels.
  await f.manager.serverSideApply({ ...configMap('by-hand', { c: '3' }, 'team-a') });

  const result = await f.reconciler.reconcile(f.input([configMap('keep', { a: '1' })]));

  expect(result.syncState).toBe('Synced');
  expect(result.objects.map((o) => [o.name, o.action])).toEqual([
    ['keep', 'unchanged'],
    ['drop', 'pruned'],
  ]);
  expect(await f.manager.get(id('drop'))).toBeUndefined();
  expect(await f.manager.get(id('keep'))).toBeDefined();
  expect((await f.manager.get(id('by-hand')))?.data).toEqual({ c: '3' });
});

it('keeps objects when the binding does not prune, and prunes them once it does', async () => {
  await f.reconciler.reconcile(f.input([configMap('keep', { a: '1' }), configMap('later', { b: '2' })]));

  const withoutPrune = await f.reconciler.reconcile(
    f.input([configMap('keep', { a: '1' })], { syncPolicy: { prune: false } }),
  );
  expect(withoutPrune.syncState).toBe('OutOfSync');
  expect(await f.manager.get(id('later'))).toBeDefined();

  const withPrune = await f.reconciler.reconcile(f.input([configMap('keep', { a: '1' })]));
  expect(withPrune.objects.map((o) => [o.name, o.action])).toContainEqual(['later', 'pruned']);
  expect(await f.manager.get(id('later'))).toBeUndefined();
});
