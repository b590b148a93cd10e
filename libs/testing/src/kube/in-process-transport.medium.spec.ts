import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  RequestContext,
  type HttpLibrary,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessTransport, latencySampler } from './in-process-transport.js';
import { KubeTestServer } from './server.js';

interface Call {
  method: HttpMethod;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Sends one call as client-node would (credentials from the kubeconfig); status and parsed body. */
async function send(server: KubeTestServer, library: HttpLibrary, call: Call) {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const context = new RequestContext(server.url + call.path, call.method);
  for (const [name, value] of Object.entries(call.headers ?? {})) context.setHeaderParam(name, value);
  if (call.body !== undefined) context.setBody(JSON.stringify(call.body));
  await kc.applySecurityAuthentication(context);
  const response = await library.send(context).toPromise();
  return { status: response.httpStatusCode, body: JSON.parse(await response.body.text()) as unknown };
}

/** Drops what differs between two servers by chance: uids and timestamps. */
function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key: string, v: unknown) =>
    ['uid', 'creationTimestamp', 'time'].includes(key) ? undefined : v,
  );
}

const applyConfigMap: Call = {
  method: HttpMethod.PATCH,
  path: '/api/v1/namespaces/apps/configmaps/settings?fieldManager=flotilla&force=true',
  headers: { 'Content-Type': 'application/apply-patch+yaml' },
  body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } },
};

// The same sequence against two fresh servers, one over HTTP and one in-process.
const calls: Call[] = [
  applyConfigMap,
  { ...applyConfigMap, body: { ...(applyConfigMap.body as object), data: { a: '2' } } },
  { method: HttpMethod.GET, path: '/api/v1/namespaces/apps/configmaps/settings' },
  { method: HttpMethod.GET, path: '/api/v1/namespaces/apps/configmaps?labelSelector=missing%3Dyes' },
  {
    method: HttpMethod.GET,
    path: '/api/v1/namespaces/apps/secrets',
    headers: { 'Impersonate-User': 'jane' },
  },
  { method: HttpMethod.DELETE, path: '/api/v1/namespaces/apps/configmaps/settings' },
  { method: HttpMethod.GET, path: '/api/v1/namespaces/apps/configmaps/settings' },
];

describe('InProcessTransport', () => {
  let overHttp: KubeTestServer;
  let inProcess: KubeTestServer;

  beforeAll(async () => {
    [overHttp, inProcess] = await Promise.all([
      KubeTestServer.start({ namespaces: ['apps'] }),
      KubeTestServer.start({ namespaces: ['apps'] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([overHttp.stop(), inProcess.stop()]);
  });

  it('answers every request exactly as HTTP does, incl. apply, RBAC refusal and not found', async () => {
    const http = new IsomorphicFetchHttpLibrary();
    const transport = new InProcessTransport(inProcess, { applyLatency: false });
    const statuses: number[] = [];
    for (const call of calls) {
      const [viaHttp, viaTransport] = [
        await send(overHttp, http, call),
        await send(inProcess, transport, call),
      ];
      expect(comparable(viaTransport)).toEqual(comparable(viaHttp));
      statuses.push(viaTransport.status);
    }
    expect(statuses).toEqual([201, 200, 200, 200, 403, 200, 404]);
    expect(inProcess.stats.writes).toBe(overHttp.stats.writes);
    expect(transport.applies).toEqual(new Map([['/api/v1/namespaces/apps/configmaps/settings', 2]]));
  });

  it('refuses watches (they need a stream) with a Status', async () => {
    const transport = new InProcessTransport(inProcess, { applyLatency: false });
    const answer = await send(inProcess, transport, {
      method: HttpMethod.GET,
      path: '/api/v1/namespaces/apps/configmaps?watch=true',
    });
    expect(answer).toMatchObject({ status: 400, body: { kind: 'Status', reason: 'BadRequest' } });
  });

  it('delays writes, not reads, and does not count dry runs as applies', async () => {
    const transport = new InProcessTransport(inProcess, { applyLatency: { p50Ms: 60, p90Ms: 60 } });
    const timed = async (call: Call) => {
      const started = performance.now();
      await send(inProcess, transport, call);
      return performance.now() - started;
    };
    expect(
      await timed({ ...applyConfigMap, path: `${applyConfigMap.path}&dryRun=All` }),
    ).toBeGreaterThanOrEqual(55);
    expect(await timed(calls[2]!)).toBeLessThan(55);
    expect(transport.applies.size).toBe(0);
  });

  it('draws write latencies with the requested median and 90th percentile', () => {
    const draw = latencySampler({ p50Ms: 15, p90Ms: 30 });
    const samples = Array.from({ length: 20_000 }, draw).sort((a, b) => a - b);
    expect(samples[10_000]).toBeGreaterThan(14);
    expect(samples[10_000]).toBeLessThan(16);
    expect(samples[18_000]).toBeGreaterThan(28);
    expect(samples[18_000]).toBeLessThan(32);
  });
});
