import type { KubeObject } from '@flotilla/manifests';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { editAsOtherManager, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

const secret: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db' },
  type: 'Opaque',
  stringData: { password: 'hunter2-from-git' },
};
const id = { group: '', version: 'v1', kind: 'Secret', namespace: 'team-a', name: 'db' };

it('reports Secret drift by field path only, never with the values', async () => {
  const input = f.input([secret]);
  const created = await f.reconciler.reconcile(input);
  expect(created.objects[0]?.action).toBe('created');
  await editAsOtherManager(f, id, (live) => {
    live.data = { password: Buffer.from('hunter3-by-hand').toString('base64') };
  });

  const result = await f.reconciler.reconcile(input);

  expect(result.objects[0]).toMatchObject({ action: 'drifted', driftedFields: ['data.password'] });
  const text = JSON.stringify(result);
  for (const value of ['hunter2-from-git', 'hunter3-by-hand']) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(Buffer.from(value).toString('base64'));
  }
});
