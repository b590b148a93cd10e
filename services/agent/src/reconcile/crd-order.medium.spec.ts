import type { KubeObject } from '@flotilla/manifests';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEAM_A_LIMITS, startFixture, type Fixture } from './medium-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.stop());

const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};
const widget: KubeObject = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1' },
  spec: { size: 3 },
};

it('applies a CRD and its custom resource from one bundle, CRD first', async () => {
  const limits = {
    ...TEAM_A_LIMITS,
    clusterScopedKinds: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }],
  };
  const input = f.input([widget, crd], { limits, syncPolicy: { selfHeal: true } });

  const result = await f.reconciler.reconcile(input);

  expect(result.syncState).toBe('Synced');
  expect(result.objects.map((o) => [o.kind, o.action])).toEqual([
    ['CustomResourceDefinition', 'created'],
    ['Widget', 'created'],
  ]);
  const live = await f.manager.get({
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    namespace: 'team-a',
    name: 'w1',
  });
  expect(live?.spec).toEqual({ size: 3 });

  // The CRD's schema (with x-kubernetes-* keys) round-trips exactly: a second pass finds nothing to change.
  const again = await f.reconciler.reconcile(input);
  expect(again.objects.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
});

it('refuses a CRD when the grant does not list the kind', async () => {
  const other = {
    ...crd,
    metadata: { name: 'gadgets.example.com' },
    spec: { ...(crd.spec as object), names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' } },
  };

  const result = await f.reconciler.reconcile(f.input([other], { bindingId: 'b-2' }));

  expect(result).toMatchObject({ syncState: 'Failed', reason: 'PolicyViolation' });
});
