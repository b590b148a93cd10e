import { afterAll, beforeAll, expect, it } from 'vitest';
import { deployment, deploymentId, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

it('applies nothing from a bundle whose bytes do not match its signed digest', async () => {
  f.server.stats.reset();

  const result = await f.reconciler.reconcile(f.input([deployment('web', 'nginx:1.27')], { tamper: true }));

  expect(result).toMatchObject({
    syncState: 'Failed',
    reason: 'BundleVerificationFailed',
    appliedDigest: null,
    objects: [],
  });
  expect(f.server.stats.writes).toBe(0);
  expect(await f.manager.get(deploymentId('web'))).toBeUndefined();
});

it('keeps reconciling the other bindings when one fails', async () => {
  const results = await f.reconciler.reconcileAll([
    f.input([deployment('bad', 'nginx:1.27')], { bindingId: 'b-bad', tamper: true }),
    f.input([deployment('good', 'nginx:1.27')], { bindingId: 'b-good' }),
  ]);

  expect(results.map((r) => [r.bindingId, r.syncState, r.reason])).toEqual([
    ['b-bad', 'Failed', 'BundleVerificationFailed'],
    ['b-good', 'Synced', undefined],
  ]);
  expect(await f.manager.get(deploymentId('good'))).toBeDefined();
});
