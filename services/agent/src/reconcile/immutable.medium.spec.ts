import { afterAll, beforeAll, expect, it } from 'vitest';
import { configMap, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

const frozen = (name: string, value: string) => ({ ...configMap(name, { value }), immutable: true });
const id = (name: string) => ({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'team-a', name });

it('reports a change to an immutable field as a failure when the binding does not force', async () => {
  await f.reconciler.reconcile(f.input([frozen('plain', 'v1')], { bindingId: 'b-plain' }));

  const result = await f.reconciler.reconcile(f.input([frozen('plain', 'v2')], { bindingId: 'b-plain' }));

  expect(result).toMatchObject({ syncState: 'Failed', reason: 'ApplyFailed' });
  expect(result.objects[0]).toMatchObject({
    name: 'plain',
    action: 'failed',
    message: expect.stringContaining('immutable'),
  });
  expect((await f.manager.get(id('plain')))?.data).toEqual({ value: 'v1' });
});

it('re-creates the object when the binding forces', async () => {
  const force = { syncPolicy: { force: true }, bindingId: 'b-force' };
  await f.reconciler.reconcile(f.input([frozen('forced', 'v1')], force));
  const before = await f.manager.get(id('forced'));

  const result = await f.reconciler.reconcile(f.input([frozen('forced', 'v2')], force));

  expect(result.syncState).toBe('Synced');
  expect(result.objects[0]).toMatchObject({
    action: 'configured',
    message: expect.stringContaining('recreated'),
  });
  const after = await f.manager.get(id('forced'));
  expect(after?.data).toEqual({ value: 'v2' });
  expect(after?.metadata.uid).not.toBe(before?.metadata.uid);
});
