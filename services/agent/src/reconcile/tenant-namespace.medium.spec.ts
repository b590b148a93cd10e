import type { KubeObject } from '@flotilla/manifests';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AGENT_NAMESPACE, configMap, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

it('creates a granted namespace from the bundle and lets the tenant identity deploy into it', async () => {
  const result = await f.reconciler.reconcile(
    f.input([namespace('team-a-dev'), configMap('inside', { a: '1' }, 'team-a-dev')]),
  );

  expect(result.syncState).toBe('Synced');
  expect(result.objects.map((o) => [o.kind, o.name, o.action])).toEqual([
    ['Namespace', 'team-a-dev', 'created'],
    ['ConfigMap', 'inside', 'created'],
  ]);
  const binding = await f.manager.get({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'RoleBinding',
    namespace: 'team-a-dev',
    name: 'flotilla-tenant-team-a',
  });
  expect(binding?.subjects).toEqual([
    { kind: 'ServiceAccount', name: 'flotilla-tenant-team-a', namespace: AGENT_NAMESPACE },
  ]);
  const inside = await f.manager.get({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    namespace: 'team-a-dev',
    name: 'inside',
  });
  expect(inside?.data).toEqual({ a: '1' });
});

it('refuses a namespace outside the grant even without the pre-check', async () => {
  const unchecked = await startFixture({ parts: { skipPolicyPreCheckForTests: true } });
  try {
    const result = await unchecked.reconciler.reconcile(unchecked.input([namespace('kube-evil')]));

    expect(result).toMatchObject({ syncState: 'Failed', reason: 'ApplyFailed' });
    expect(result.objects[0]?.message).toMatch(/forbidden/i);
    expect(
      await unchecked.manager.get({ group: '', version: 'v1', kind: 'Namespace', name: 'kube-evil' }),
    ).toBeUndefined();
  } finally {
    await unchecked.stop();
  }
});
