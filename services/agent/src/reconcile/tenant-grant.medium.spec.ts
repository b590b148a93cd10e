import { afterEach, expect, it } from 'vitest';
import { configMap, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture | undefined;
afterEach(() => f?.stop());

const outside = () => configMap('intruder', { a: '1' }, 'other');
const otherId = { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'other', name: 'intruder' };

it('refuses a bundle with an object outside the grant before touching the cluster', async () => {
  f = await startFixture();
  f.server.stats.reset();

  const result = await f.reconciler.reconcile(f.input([configMap('fine', { a: '1' }), outside()]));

  expect(result).toMatchObject({ syncState: 'Failed', reason: 'PolicyViolation' });
  expect(result.objects).toEqual([
    expect.objectContaining({
      namespace: 'other',
      name: 'intruder',
      action: 'failed',
      message: expect.stringContaining('"other" is not allowed'),
    }),
  ]);
  expect(f.server.stats.writes).toBe(0);
});

it('is refused by the API server under the tenant identity when the pre-check is skipped', async () => {
  f = await startFixture({ parts: { skipPolicyPreCheckForTests: true } });

  const result = await f.reconciler.reconcile(f.input([configMap('fine', { a: '1' }), outside()]));

  expect(result).toMatchObject({ syncState: 'Failed', reason: 'ApplyFailed' });
  const intruder = result.objects.find((o) => o.name === 'intruder');
  expect(intruder).toMatchObject({ action: 'failed', health: 'Unknown' });
  expect(intruder?.message).toMatch(/forbidden/i);
  expect(intruder?.message).toContain('system:serviceaccount:flotilla-system:flotilla-tenant-team-a');
  expect(result.objects.find((o) => o.name === 'fine')?.action).toBe('created');
  expect(await f.manager.get(otherId)).toBeUndefined();
});
