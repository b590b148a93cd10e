import { afterAll, beforeAll, expect, it } from 'vitest';
import { configMap, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

it('reports a changed object as configured, with the fields that changed', async () => {
  await f.reconciler.reconcile(f.input([configMap('settings', { color: 'blue', size: 'L' })]));

  const result = await f.reconciler.reconcile(f.input([configMap('settings', { color: 'green' })]));

  expect(result.syncState).toBe('Synced');
  expect(result.objects).toEqual([
    expect.objectContaining({
      kind: 'ConfigMap',
      name: 'settings',
      action: 'configured',
      driftedFields: ['data.color', 'data.size'],
    }),
  ]);
  const live = await f.manager.get({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    namespace: 'team-a',
    name: 'settings',
  });
  // The key dropped from Git is removed: Flotilla owned it.
  expect(live?.data).toEqual({ color: 'green' });
});
