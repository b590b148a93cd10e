/**
 * The same scenarios through @kubernetes/client-node, the way the agent talks to a cluster.
 */
import {
  ApiException,
  AppsV1Api,
  AuthenticationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeTestServer } from './server.js';

function client(kubeconfig: string) {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return {
    kc,
    objects: KubernetesObjectApi.makeApiClient(kc),
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
  };
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof ApiException) return e.code;
    throw e;
  }
}

const configMap = (
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): KubernetesObject & { data: Record<string, string> } => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'apps', labels },
  data,
});

describe('@kubernetes/client-node against the test server (HTTP)', () => {
  let server: KubeTestServer;
  let c: ReturnType<typeof client>;
  const apply = (obj: KubernetesObject, manager = 'flotilla', force = true, dryRun?: string) =>
    c.objects.patch(obj, undefined, dryRun, manager, force, PatchStrategy.ServerSideApply);

  beforeAll(async () => {
    server = await KubeTestServer.start({ namespaces: ['apps'] });
    c = client(server.kubeconfig());
  });
  afterAll(() => server?.stop());

  it('server-side applies with KubernetesObjectApi and removes dropped fields on re-apply', async () => {
    const created = (await apply(configMap('cfg', { a: '1', b: '2' }, { app: 'web' }))) as V1ConfigMap;
    expect(created.data).toEqual({ a: '1', b: '2' });
    expect(created.metadata?.managedFields?.[0]).toMatchObject({ manager: 'flotilla', operation: 'Apply' });
    const reapplied = (await apply(configMap('cfg', { a: '1' }, { app: 'web' }))) as V1ConfigMap;
    expect(reapplied.data).toEqual({ a: '1' });
    const read = (await c.objects.read({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'apps' },
    })) as V1ConfigMap;
    expect(read.data).toEqual({ a: '1' });
  });

  it('answers 409 on apply conflicts unless forced, and on stale updates', async () => {
    expect(await status(apply(configMap('cfg', { a: 'other' }, { app: 'web' }), 'someone-else', false))).toBe(
      409,
    );
    const live = (await c.core.readNamespacedConfigMap({ name: 'cfg', namespace: 'apps' })) as V1ConfigMap;
    await c.core.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace: 'apps',
      body: { ...live, data: { a: '2' } },
    });
    expect(
      await status(
        c.core.replaceNamespacedConfigMap({
          name: 'cfg',
          namespace: 'apps',
          body: { ...live, data: { a: '3' } },
        }),
      ),
    ).toBe(409);
  });

  it('makes no change for a no-op re-apply or a dry run', async () => {
    await apply(configMap('stable', { k: 'v' }));
    server.stats.reset();
    await apply(configMap('stable', { k: 'v' }));
    expect(server.stats.changes).toBe(0);
    await apply(configMap('stable', { k: 'changed' }), 'flotilla', true, 'All');
    await apply(configMap('never', { k: 'v' }), 'flotilla', true, 'All');
    expect(server.stats.changes).toBe(0);
    expect(server.stats.writes).toBe(1);
    expect(server.stats.byVerb.patch).toBe(3);
    expect(await status(c.core.readNamespacedConfigMap({ name: 'never', namespace: 'apps' }))).toBe(404);
  });

  it('lists with label and field selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 5; i++)
      await apply(configMap(`page-${i}`, { i: String(i) }, { group: 'paged', parity: String(i % 2) }));
    const odd = await c.objects.list(
      'v1',
      'ConfigMap',
      'apps',
      undefined,
      undefined,
      undefined,
      undefined,
      'group=paged,parity=1',
    );
    expect(odd.items.map((o) => o.metadata?.name)).toEqual(['page-1', 'page-3']);
    const byName = await c.core.listNamespacedConfigMap({
      namespace: 'apps',
      fieldSelector: 'metadata.name=page-2',
    });
    expect(byName.items.map((o) => o.metadata?.name)).toEqual(['page-2']);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.core.listNamespacedConfigMap({
        namespace: 'apps',
        labelSelector: 'group=paged',
        limit: 2,
        _continue: token,
      });
      names.push(...page.items.map((o) => o.metadata!.name!));
      token = page.metadata?._continue;
    } while (token);
    expect(names).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    await c.core.deleteCollectionNamespacedConfigMap({
      namespace: 'apps',
      labelSelector: 'group=paged,parity=0',
    });
    const left = await c.core.listNamespacedConfigMap({ namespace: 'apps', labelSelector: 'group=paged' });
    expect(left.items.map((o) => o.metadata?.name)).toEqual(['page-1', 'page-3']);
  });

  it('streams watch events from a resourceVersion', async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: 'apps' });
    const events: string[] = [];
    const watch = new Watch(c.kc);
    const done = new Promise<void>((resolve) => {
      void watch
        .watch(
          '/api/v1/namespaces/apps/configmaps',
          { resourceVersion: list.metadata?.resourceVersion, labelSelector: 'watched=yes' },
          (type, obj: V1ConfigMap) => {
            events.push(`${type} ${obj.metadata?.name} ${obj.data?.v ?? ''}`.trim());
            if (type === 'DELETED') resolve();
          },
          () => {},
        )
        .then((controller) => done.then(() => controller.abort()));
    });
    await apply(configMap('w', { v: '1' }, { watched: 'yes' }));
    await apply(configMap('ignored', { v: '1' }));
    await apply(configMap('w', { v: '2' }, { watched: 'yes' }));
    await c.objects.delete({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'w', namespace: 'apps' },
    });
    await done;
    expect(events).toEqual(['ADDED w 1', 'MODIFIED w 2', 'DELETED w 2']);
  });

  it('feeds an informer (list + watch)', async () => {
    const path = '/api/v1/namespaces/apps/configmaps';
    const informer = makeInformer(
      c.kc,
      path,
      () => c.core.listNamespacedConfigMap({ namespace: 'apps', labelSelector: 'informed=yes' }),
      'informed=yes',
    );
    const seen: string[] = [];
    const added = new Promise<void>((resolve) =>
      informer.on('add', (o: V1ConfigMap) => {
        seen.push(o.metadata!.name!);
        if (o.metadata?.name === 'late') resolve();
      }),
    );
    await apply(configMap('early', {}, { informed: 'yes' }));
    await informer.start();
    await apply(configMap('late', {}, { informed: 'yes' }));
    await added;
    await informer.stop();
    expect(seen).toEqual(['early', 'late']);
  });

  it('writes status through the status subresource only', async () => {
    await apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'apps' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
      status: { replicas: 9 },
    } as KubernetesObject);
    const d = await c.apps.readNamespacedDeployment({ name: 'web', namespace: 'apps' });
    expect(d.status).toBeUndefined();
    expect(d.metadata?.generation).toBe(1);
    // client-node's generated patch methods send JSON patch (application/json-patch+json).
    await c.apps.patchNamespacedDeploymentStatus({
      name: 'web',
      namespace: 'apps',
      body: [{ op: 'add', path: '/status', value: { observedGeneration: 1, replicas: 1 } }],
    });
    const s = await c.apps.readNamespacedDeploymentStatus({ name: 'web', namespace: 'apps' });
    expect(s.status).toEqual({ observedGeneration: 1, replicas: 1 });
    expect(s.metadata?.generation).toBe(1);
    await c.apps.patchNamespacedDeployment({
      name: 'web',
      namespace: 'apps',
      body: [{ op: 'add', path: '/spec/replicas', value: 3 }],
    });
    const bumped = await c.apps.readNamespacedDeployment({ name: 'web', namespace: 'apps' });
    expect(bumped.metadata?.generation).toBe(2);
    expect(bumped.status?.replicas).toBe(1);
  });

  it('creates a CRD, then applies and lists its custom resources', async () => {
    await apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    } as KubernetesObject);
    await apply({
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'g1', namespace: 'apps' },
      spec: { size: 1 },
    } as KubernetesObject);
    const list = await c.objects.list('example.com/v1', 'Gadget', 'apps');
    expect(list.items.map((o) => o.metadata?.name)).toEqual(['g1']);
  });

  it('impersonates through the kubeconfig "as" user, with RBAC applied', async () => {
    const alice = client(server.kubeconfig({ user: 'alice' }));
    expect(await status(alice.core.listNamespacedConfigMap({ namespace: 'apps' }))).toBe(403);
    await apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'alice-view', namespace: 'apps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'alice' }],
    } as KubernetesObject);
    expect(await status(alice.core.listNamespacedConfigMap({ namespace: 'apps' }))).toBe(200);
    expect(await status(alice.core.listNamespacedConfigMap({ namespace: 'default' }))).toBe(403);
    expect(
      await status(
        alice.core.createNamespacedConfigMap({ namespace: 'apps', body: { metadata: { name: 'nope' } } }),
      ),
    ).toBe(403);
  });
});

describe('@kubernetes/client-node over plain HTTP without anonymous access', () => {
  it('sends its bearer token over http:// (kubectl does not)', async () => {
    const server = await KubeTestServer.start({ anonymous: 'reject', namespaces: ['team-a'] });
    try {
      expect(await status(client(server.kubeconfig()).core.listNamespace())).toBe(200);
      const kubeconfigWithoutToken = server.kubeconfig().replace(/^\s+token: .*$/m, '');
      expect(await status(client(kubeconfigWithoutToken).core.listNamespace())).toBe(401);
      await client(server.kubeconfig()).core.createNamespacedServiceAccount({
        namespace: 'team-a',
        body: { metadata: { name: 'sa' } },
      });
      const sa = client(server.kubeconfig({ token: server.serviceAccountToken('team-a', 'sa') }));
      expect(await status(sa.core.listNamespacedConfigMap({ namespace: 'team-a' }))).toBe(403);
      const review = await sa.kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
      expect(review.status?.userInfo?.username).toBe('system:serviceaccount:team-a:sa');
    } finally {
      await server.stop();
    }
  });
});

describe('@kubernetes/client-node with service account tokens (HTTPS)', () => {
  let server: KubeTestServer;

  beforeAll(async () => {
    server = await KubeTestServer.start({ tls: true, namespaces: ['team-a', 'team-b'] });
    const admin = client(server.kubeconfig());
    await admin.objects.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'tenant', namespace: 'team-a' },
    });
    await admin.objects.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'tenant-edit', namespace: 'team-a' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace: 'team-a' }],
    } as KubernetesObject);
  });
  afterAll(() => server?.stop());

  it('authenticates a token as the service account, confined to its namespace', async () => {
    const tenant = client(server.kubeconfig({ token: server.serviceAccountToken('team-a', 'tenant') }));
    expect(
      await status(
        tenant.objects.patch(
          configMap('x', { a: '1' }),
          undefined,
          undefined,
          'flotilla',
          true,
          PatchStrategy.ServerSideApply,
        ),
      ),
    ).toBe(403);
    const inA = { ...configMap('x', { a: '1' }), metadata: { name: 'x', namespace: 'team-a' } };
    expect(
      await status(
        tenant.objects.patch(inA, undefined, undefined, 'flotilla', true, PatchStrategy.ServerSideApply),
      ),
    ).toBe(200);
    const inB = { ...inA, metadata: { name: 'x', namespace: 'team-b' } };
    expect(
      await status(
        tenant.objects.patch(inB, undefined, undefined, 'flotilla', true, PatchStrategy.ServerSideApply),
      ),
    ).toBe(403);
  });

  it('lets an admin impersonate the service account with Impersonate-User', async () => {
    const get = (ns: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          `${server.url}/api/v1/namespaces/${ns}/configmaps`,
          {
            ca: server.caCertificate,
            headers: {
              authorization: `Bearer ${server.adminToken}`,
              'Impersonate-User': 'system:serviceaccount:team-a:tenant',
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await get('team-a')).toBe(200);
    expect(await get('team-b')).toBe(403);
  });

  it('rejects the token once its service account is gone', async () => {
    const token = server.serviceAccountToken('team-a', 'tenant');
    const admin = client(server.kubeconfig());
    await admin.core.deleteNamespacedServiceAccount({ name: 'tenant', namespace: 'team-a' });
    const tenant = client(server.kubeconfig({ token }));
    expect(await status(tenant.core.listNamespacedConfigMap({ namespace: 'team-a' }))).toBe(401);
  });
});
