/**
 * Many instances in one process: the demo and the fleet benchmark use one per simulated cluster.
 */
import { describe, expect, it } from 'vitest';
import { KubeTestServer } from './server.js';

describe('200 instances in one process', () => {
  it('start, each answer a request, and stop', async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const started = performance.now();
    const servers = await Promise.all(Array.from({ length: 200 }, () => KubeTestServer.start()));
    const startMs = performance.now() - started;
    expect(new Set(servers.map((s) => s.url)).size).toBe(200);
    const statuses = await Promise.all(
      servers.map(async (s, i) => {
        const res = await fetch(`${s.url}/api/v1/namespaces/default/configmaps/c${i}?fieldManager=test`, {
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${s.adminToken}`,
            'content-type': 'application/apply-patch+yaml',
          },
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `c${i}` },
            data: { i: String(i) },
          }),
        });
        return res.status;
      }),
    );
    expect(statuses.every((s) => s === 201)).toBe(true);
    servers.forEach((s, i) =>
      expect(s.getObject('', 'configmaps', 'default', `c${i}`)?.data).toEqual({ i: String(i) }),
    );
    global.gc?.();
    const after = process.memoryUsage();
    const perInstanceKiB = (after.heapUsed - before.heapUsed) / 200 / 1024;
    console.log(
      `200 instances: started in ${startMs.toFixed(0)} ms, ~${perInstanceKiB.toFixed(0)} KiB heap each, rss +${((after.rss - before.rss) / 1048576).toFixed(0)} MiB`,
    );
    expect(perInstanceKiB).toBeLessThan(1024);
    await Promise.all(servers.map((s) => s.stop()));
  });
});
