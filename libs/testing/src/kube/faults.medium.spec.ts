/**
 * Failure injection and simulated controllers, over HTTP.
 */
import {
  AppsV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeTestServer } from './server.js';

let server: KubeTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const get = (s: KubeTestServer, path: string) =>
  fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${s.adminToken}` } });

describe('fault injection', () => {
  it('fails matching requests a given number of times', async () => {
    server = await KubeTestServer.start();
    server.faults.inject({ status: 500, count: 2, match: { verb: 'list', resource: 'configmaps' } });
    expect((await get(server, '/api/v1/namespaces')).status).toBe(200);
    const first = await get(server, '/api/v1/namespaces/default/configmaps');
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    expect((await get(server, '/api/v1/namespaces/default/configmaps')).status).toBe(500);
    expect((await get(server, '/api/v1/namespaces/default/configmaps')).status).toBe(200);
  });

  it('throttles with 429 and Retry-After, and adds latency', async () => {
    server = await KubeTestServer.start();
    server.faults.throttle({ retryAfterSeconds: 2, count: 1 });
    const throttled = await get(server, '/api/v1/namespaces');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(await throttled.json()).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 2 },
    });
    server.faults.latency(120);
    const t = performance.now();
    expect((await get(server, '/api/v1/namespaces')).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(110);
    server.faults.reset();
  });

  it('drops open watches', async () => {
    server = await KubeTestServer.start();
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch('/api/v1/namespaces/default/configmaps', {}, () => {}, resolve);
    });
    while (server.stats.byVerb.watch !== 1) await new Promise((r) => setTimeout(r, 10));
    expect(server.faults.dropWatches({ abrupt: true })).toBe(1);
    await ended;
  });
});

describe('simulated controllers', () => {
  const deployment = (replicas: number) =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    }) as KubernetesObject;

  async function clients(s: KubeTestServer) {
    const kc = new KubeConfig();
    kc.loadFromString(s.kubeconfig());
    return { objects: KubernetesObjectApi.makeApiClient(kc), apps: kc.makeApiClient(AppsV1Api) };
  }

  it('makes a Deployment available after the delay, again after each spec change', async () => {
    server = await KubeTestServer.start({ simulateControllers: { availabilityDelayMs: 400 } });
    const { objects, apps } = await clients(server);
    await objects.patch(deployment(2), undefined, undefined, 'test', true, PatchStrategy.ServerSideApply);
    expect(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).status,
    ).toBeUndefined();
    await new Promise((r) => setTimeout(r, 800));
    const ready = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(ready.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
    expect(ready.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    await objects.patch(deployment(3), undefined, undefined, 'test', true, PatchStrategy.ServerSideApply);
    const progressing = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(progressing.metadata?.generation).toBe(2);
    expect(progressing.status?.observedGeneration).toBe(1);
    await new Promise((r) => setTimeout(r, 800));
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).status).toMatchObject(
      { observedGeneration: 2, readyReplicas: 3 },
    );
    const entry = (
      await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })
    ).metadata?.managedFields?.find((m) => m.manager === 'kube-controller-manager');
    expect(entry).toMatchObject({ operation: 'Update', subresource: 'status' });
  });

  it('leaves status alone when switched off', async () => {
    server = await KubeTestServer.start();
    const { objects, apps } = await clients(server);
    await objects.patch(deployment(1), undefined, undefined, 'test', true, PatchStrategy.ServerSideApply);
    await new Promise((r) => setTimeout(r, 100));
    expect(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).status,
    ).toBeUndefined();
  });
});
