import { afterAll, beforeAll, expect, it } from 'vitest';
import { configMap, deployment, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

it('creates objects, then re-applying the same bundle changes nothing and writes nothing', async () => {
  const input = f.input([configMap('settings', { color: 'blue' }), deployment('web', 'nginx:1.27')], {
    syncPolicy: { selfHeal: true },
  });

  const first = await f.reconciler.reconcile(input);
  expect(first.syncState).toBe('Synced');
  expect(first.objects.map((o) => [o.kind, o.name, o.action])).toEqual([
    ['ConfigMap', 'settings', 'created'],
    ['Deployment', 'web', 'created'],
  ]);
  expect(first.appliedDigest).toBe(input.binding.bundleDigest);
  const live = await f.manager.get({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    namespace: 'team-a',
    name: 'settings',
  });
  expect(live?.data).toEqual({ color: 'blue' });
  expect(live?.metadata.labels?.['flotilla.dev/binding']).toBe('b-1');

  f.server.stats.reset();
  // Self-heal forces the full apply path (not just a report) on an unchanged bundle.
  const second = await f.reconciler.reconcile(input);
  expect(second.syncState).toBe('Synced');
  expect(second.objects.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
  expect(f.server.stats.writes).toBe(0);
  expect(f.server.stats.changes).toBe(0);
});
