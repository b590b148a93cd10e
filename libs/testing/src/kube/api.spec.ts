import { beforeEach, describe, expect, it } from 'vitest';
import { CallContext, KubeApi } from './api.js';
import { StatusError } from './errors.js';
import { defaultRbacObjects, RbacAuthorizer } from './rbac.js';
import { ResourceRegistry } from './resource-registry.js';
import { ObjectStore } from './store.js';
import { KubeObject } from './types.js';

const admin: CallContext = { user: { name: 'admin', groups: ['system:masters'] }, fieldManager: 'test' };

let api: KubeApi;
let registry: ResourceRegistry;
const rt = (group: string, resource: string) => registry.get(group, resource)!;

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e.code;
    throw e;
  }
  return undefined;
}

const ns = (name: string) =>
  api.create(
    rt('', 'namespaces'),
    'v1',
    undefined,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    admin,
  );
const cm = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { a: '1' },
  ...extra,
});
const deployment = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'app' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
  },
});

beforeEach(() => {
  registry = new ResourceRegistry();
  const store = new ObjectStore();
  for (const { gr, object } of defaultRbacObjects()) store.put(gr, structuredClone(object));
  api = new KubeApi(registry, store, new RbacAuthorizer(store));
  ns('app');
});

describe('object semantics', () => {
  it('stamps uid, resourceVersion and creationTimestamp, and a default ServiceAccount per namespace', () => {
    const { object, code } = api.create(rt('', 'configmaps'), 'v1', 'app', cm('a'), admin);
    expect(code).toBe(201);
    expect(object.metadata).toMatchObject({
      name: 'a',
      namespace: 'app',
      uid: expect.any(String),
      resourceVersion: expect.any(String),
      creationTimestamp: expect.any(String),
    });
    expect(object.metadata?.generation).toBeUndefined();
    expect(api.get(rt('', 'serviceaccounts'), 'v1', 'app', 'default').metadata?.name).toBe('default');
  });

  it('bumps generation on spec changes only', () => {
    const d = rt('apps', 'deployments');
    const created = api.create(d, 'v1', 'app', deployment(1), admin).object;
    expect(created.metadata?.generation).toBe(1);
    const labelled = api.patch(
      d,
      'v1',
      'app',
      'web',
      'merge',
      { metadata: { labels: { x: 'y' } } },
      undefined,
      admin,
    ).object;
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = api.patch(
      d,
      'v1',
      'app',
      'web',
      'merge',
      { spec: { replicas: 3 } },
      undefined,
      admin,
    ).object;
    expect(scaled.metadata?.generation).toBe(2);
    const status = api.patch(
      d,
      'v1',
      'app',
      'web',
      'merge',
      { status: { replicas: 3 } },
      'status',
      admin,
    ).object;
    expect(status.metadata?.generation).toBe(2);
    expect(status.status).toEqual({ replicas: 3 });
    const mainIgnoresStatus = api.patch(
      d,
      'v1',
      'app',
      'web',
      'merge',
      { status: { replicas: 9 } },
      undefined,
      admin,
    ).object;
    expect(mainIgnoresStatus.status).toEqual({ replicas: 3 });
  });

  it('answers 409 on a stale resourceVersion and 404/403 for missing or terminating namespaces', () => {
    const c = rt('', 'configmaps');
    const created = api.create(c, 'v1', 'app', cm('a'), admin).object;
    api.update(c, 'v1', 'app', 'a', { ...created, data: { a: '2' } }, undefined, admin);
    expect(
      statusOf(() => api.update(c, 'v1', 'app', 'a', { ...created, data: { a: '3' } }, undefined, admin)),
    ).toBe(409);
    expect(statusOf(() => api.create(c, 'v1', 'app', cm('a'), admin))).toBe(409);
    expect(statusOf(() => api.create(c, 'v1', 'nowhere', cm('b'), admin))).toBe(404);
    api.create(
      c,
      'v1',
      'app',
      cm('held', { metadata: { name: 'held', finalizers: ['example.com/hold'] } }),
      admin,
    );
    api.delete(rt('', 'namespaces'), 'v1', undefined, 'app', {}, admin);
    expect(api.get(rt('', 'namespaces'), 'v1', undefined, 'app').status).toEqual({ phase: 'Terminating' });
    expect(statusOf(() => api.create(c, 'v1', 'app', cm('c'), admin))).toBe(403);
  });

  it('folds Secret stringData into data', () => {
    const s = api.create(
      rt('', 'secrets'),
      'v1',
      'app',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { p: 'hunter2' } },
      admin,
    ).object;
    expect(s.data).toEqual({ p: Buffer.from('hunter2').toString('base64') });
    expect(s.stringData).toBeUndefined();
    expect(s.type).toBe('Opaque');
  });

  it('does not persist dry runs', () => {
    const c = rt('', 'configmaps');
    const dry = api.create(c, 'v1', 'app', cm('a'), { ...admin, dryRun: true });
    expect(dry.object.metadata?.resourceVersion).toBeUndefined();
    expect(statusOf(() => api.get(c, 'v1', 'app', 'a'))).toBe(404);
    api.patch(c, 'v1', 'app', 'b', 'apply', cm('b'), undefined, { ...admin, dryRun: true });
    expect(statusOf(() => api.get(c, 'v1', 'app', 'b'))).toBe(404);
  });

  it('validates names, labels and unknown fields', () => {
    const c = rt('', 'configmaps');
    expect(statusOf(() => api.create(c, 'v1', 'app', cm('Bad_Name'), admin))).toBe(422);
    expect(
      statusOf(() =>
        api.create(c, 'v1', 'app', cm('a', { metadata: { name: 'a', labels: { 'x y': 'z' } } }), admin),
      ),
    ).toBe(422);
    expect(
      statusOf(() =>
        api.create(c, 'v1', 'app', cm('a', { dataa: {} }), { ...admin, fieldValidation: 'Strict' }),
      ),
    ).toBe(400);
    const warnings: string[] = [];
    const warned = api.create(c, 'v1', 'app', cm('a', { dataa: {} }), { ...admin, warnings });
    expect(warned.object.dataa).toBeUndefined();
    expect(warnings).toEqual(['unknown field "dataa"']);
  });
});

describe('deletion', () => {
  it('removes a namespace with its contents', () => {
    api.create(rt('', 'configmaps'), 'v1', 'app', cm('a'), admin);
    api.delete(rt('', 'namespaces'), 'v1', undefined, 'app', {}, admin);
    expect(statusOf(() => api.get(rt('', 'namespaces'), 'v1', undefined, 'app'))).toBe(404);
    expect(statusOf(() => api.get(rt('', 'configmaps'), 'v1', 'app', 'a'))).toBe(404);
  });

  it('waits for finalizers to be removed', () => {
    const c = rt('', 'configmaps');
    api.create(c, 'v1', 'app', cm('a', { metadata: { name: 'a', finalizers: ['example.com/x'] } }), admin);
    api.delete(c, 'v1', 'app', 'a', {}, admin);
    const marked = api.get(c, 'v1', 'app', 'a');
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    api.patch(c, 'v1', 'app', 'a', 'merge', { metadata: { finalizers: null } }, undefined, admin);
    expect(statusOf(() => api.get(c, 'v1', 'app', 'a'))).toBe(404);
  });

  it('collects dependents by ownerReferences, or orphans them', () => {
    const c = rt('', 'configmaps');
    const owner = api.create(c, 'v1', 'app', cm('owner'), admin).object;
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
    api.create(c, 'v1', 'app', cm('child', { metadata: { name: 'child', ownerReferences: [ref] } }), admin);
    api.delete(c, 'v1', 'app', 'owner', {}, admin);
    expect(statusOf(() => api.get(c, 'v1', 'app', 'child'))).toBe(404);

    const owner2 = api.create(c, 'v1', 'app', cm('owner2'), admin).object;
    api.create(
      c,
      'v1',
      'app',
      cm('child2', {
        metadata: {
          name: 'child2',
          ownerReferences: [{ ...ref, name: 'owner2', uid: owner2.metadata!.uid! }],
        },
      }),
      admin,
    );
    api.delete(c, 'v1', 'app', 'owner2', { propagationPolicy: 'Orphan' }, admin);
    expect(api.get(c, 'v1', 'app', 'child2').metadata?.ownerReferences).toEqual([]);
  });
});

describe('list and watch', () => {
  it('pages with limit and continue', () => {
    const c = rt('', 'configmaps');
    for (const n of ['a', 'b', 'c', 'd', 'e']) api.create(c, 'v1', 'app', cm(n), admin);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = api.list(c, 'v1', 'app', { limit: 2, continue: token });
      names.push(...(page.items as KubeObject[]).map((o) => o.metadata!.name!));
      token = (page.metadata as { continue?: string }).continue;
    } while (token);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('replays changes since a resourceVersion and follows a selector in and out', () => {
    const c = rt('', 'configmaps');
    const start = (api.list(c, 'v1', 'app', {}).metadata as { resourceVersion: string }).resourceVersion;
    api.create(c, 'v1', 'app', cm('a', { metadata: { name: 'a', labels: { sel: 'yes' } } }), admin);
    const events: string[] = [];
    const stop = api.watch(
      c,
      'v1',
      'app',
      { resourceVersion: start, labelSelector: 'sel=yes' },
      {
        send: (type, obj) => events.push(`${type} ${obj.metadata?.name}`),
        close: () => events.push('closed'),
      },
    );
    api.patch(c, 'v1', 'app', 'a', 'merge', { metadata: { labels: { sel: 'no' } } }, undefined, admin);
    api.patch(c, 'v1', 'app', 'a', 'merge', { metadata: { labels: { sel: 'yes' } } }, undefined, admin);
    api.create(c, 'v1', 'app', cm('other'), admin);
    api.delete(c, 'v1', 'app', 'a', {}, admin);
    stop();
    expect(events).toEqual(['ADDED a', 'DELETED a', 'ADDED a', 'DELETED a']);
  });

  it('sends 410 Expired for a resourceVersion older than the kept history', () => {
    const c = rt('', 'configmaps');
    for (let i = 0; i < 4200; i++) api.create(c, 'v1', 'app', cm(`n${i}`), admin);
    const events: KubeObject[] = [];
    api.watch(c, 'v1', 'app', { resourceVersion: '3' }, { send: (_t, o) => events.push(o), close: () => {} });
    expect(events[0]).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });
});

describe('custom resources', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          },
        },
      ],
    },
  };

  it('registers the kind, establishes the CRD and removes both on delete', () => {
    const created = api.create(
      rt('apiextensions.k8s.io', 'customresourcedefinitions'),
      'v1',
      undefined,
      crd,
      admin,
    ).object;
    expect((created.status as { conditions: { type: string; status: string }[] }).conditions).toContainEqual(
      expect.objectContaining({ type: 'Established', status: 'True' }),
    );
    const widgets = registry.lookup('example.com', 'v1', 'widgets')!;
    expect(widgets).toMatchObject({ kind: 'Widget', namespaced: true, shortNames: ['wd'] });
    api.create(
      widgets,
      'v1',
      'app',
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } },
      admin,
    );
    expect(
      statusOf(() =>
        api.create(
          widgets,
          'v1',
          'app',
          { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' }, spek: {} },
          { ...admin, fieldValidation: 'Strict' },
        ),
      ),
    ).toBe(400);
    expect(
      statusOf(() =>
        api.patch(widgets, 'v1', 'app', 'w', 'strategic', { spec: { size: 2 } }, undefined, admin),
      ),
    ).toBe(415);
    api.delete(
      rt('apiextensions.k8s.io', 'customresourcedefinitions'),
      'v1',
      undefined,
      'widgets.example.com',
      {},
      admin,
    );
    expect(registry.lookup('example.com', 'v1', 'widgets')).toBeUndefined();
    expect(api.store.count('example.com/widgets')).toBe(0);
  });
});

describe('RBAC escalation prevention', () => {
  it('refuses roles and bindings that grant more than their author holds', () => {
    const tenant: CallContext = {
      user: {
        name: 'system:serviceaccount:app:t',
        groups: ['system:serviceaccounts', 'system:authenticated'],
      },
      fieldManager: 'test',
    };
    api.create(
      rt('rbac.authorization.k8s.io', 'rolebindings'),
      'v1',
      'app',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
        subjects: [{ kind: 'ServiceAccount', name: 't', namespace: 'app' }],
      },
      admin,
    );
    const role = (verbs: string[]) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: `r-${verbs.join('')}` },
      rules: [{ apiGroups: [''], resources: ['configmaps', 'nodes'].slice(0, verbs.length), verbs }],
    });
    expect(
      api.create(rt('rbac.authorization.k8s.io', 'roles'), 'v1', 'app', role(['get']), tenant).code,
    ).toBe(201);
    expect(
      statusOf(() =>
        api.create(rt('rbac.authorization.k8s.io', 'roles'), 'v1', 'app', role(['get', 'list']), tenant),
      ),
    ).toBe(403);
    const binding = (name: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `to-${name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: 't', namespace: 'app' }],
    });
    expect(
      api.create(rt('rbac.authorization.k8s.io', 'rolebindings'), 'v1', 'app', binding('view'), tenant).code,
    ).toBe(201);
    expect(
      statusOf(() =>
        api.create(
          rt('rbac.authorization.k8s.io', 'rolebindings'),
          'v1',
          'app',
          binding('cluster-admin'),
          tenant,
        ),
      ),
    ).toBe(403);
  });
});
