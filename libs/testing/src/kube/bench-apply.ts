/**
 * Benchmark: server-side apply of 1,000 small ConfigMaps to one Kubernetes API test server
 * instance over HTTP. Run with `npm run bench:kube-apply`; prints a table and writes
 * test/bench/results/kube-apply.json.
 *
 * Clients: node:http with a keep-alive agent (the figure the limit applies to), fetch
 * (undici, keep-alive) and @kubernetes/client-node's KubernetesObjectApi (which opens a new
 * connection per request). Each creates 1,000 objects, re-applies them unchanged (the no-op
 * path of a resync), then re-applies them changed.
 */
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeTestServer } from './server.js';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LIMIT_MS = 2000;

interface Row {
  scenario: string;
  objects: number;
  concurrency: number;
  totalMs: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  writes: number;
  changes: number;
}

function configMap(i: number, generation: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `bench-${i}`, namespace: 'bench', labels: { app: 'bench', shard: String(i % 10) } },
    data: { index: String(i), generation, payload: 'x'.repeat(64) },
  };
}

async function runPool(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<number[]> {
  const latencies: number[] = new Array(n);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t = performance.now();
      await task(i);
      latencies[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function scenario(
  server: KubeTestServer,
  name: string,
  task: (i: number) => Promise<void>,
): Promise<Row> {
  server.stats.reset();
  const start = performance.now();
  const latencies = await runPool(OBJECTS, CONCURRENCY, task);
  const totalMs = performance.now() - start;
  return {
    scenario: name,
    objects: OBJECTS,
    concurrency: CONCURRENCY,
    totalMs: Math.round(totalMs),
    opsPerSecond: Math.round((OBJECTS / totalMs) * 1000),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    writes: server.stats.writes,
    changes: server.stats.changes,
  };
}

function httpApply(server: KubeTestServer, agent: Agent, i: number, generation: string): Promise<void> {
  const obj = configMap(i, generation);
  const body = JSON.stringify(obj);
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      `${server.url}/api/v1/namespaces/bench/configmaps/${obj.metadata.name}?fieldManager=bench&force=true`,
      {
        method: 'PATCH',
        agent,
        headers: {
          'content-type': 'application/apply-patch+yaml',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${server.adminToken}`,
          accept: 'application/json',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200 && res.statusCode !== 201)
            reject(new Error(`apply failed: ${res.statusCode} ${Buffer.concat(chunks)}`));
          else {
            JSON.parse(Buffer.concat(chunks).toString('utf8'));
            resolvePromise();
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function fetchApply(server: KubeTestServer, i: number, generation: string): Promise<void> {
  const obj = configMap(i, generation);
  const res = await fetch(
    `${server.url}/api/v1/namespaces/bench/configmaps/${obj.metadata.name}?fieldManager=bench&force=true`,
    {
      method: 'PATCH',
      headers: {
        'content-type': 'application/apply-patch+yaml',
        authorization: `Bearer ${server.adminToken}`,
        accept: 'application/json',
      },
      body: JSON.stringify(obj),
    },
  );
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`apply failed: ${res.status} ${await res.text()}`);
  await res.json();
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const clients = (process.env.BENCH_CLIENTS ?? 'http,fetch,client-node').split(',') as (
    'http' | 'fetch' | 'client-node'
  )[];
  for (const client of clients) {
    const server = await KubeTestServer.start({ namespaces: ['bench', 'warmup'] });
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    try {
      let apply: (i: number, generation: string) => Promise<void>;
      if (client === 'http') apply = (i, g) => httpApply(server, agent, i, g);
      else if (client === 'fetch') apply = (i, g) => fetchApply(server, i, g);
      else {
        const kc = new KubeConfig();
        kc.loadFromString(server.kubeconfig());
        const api = KubernetesObjectApi.makeApiClient(kc);
        apply = async (i, g) => {
          await api.patch(
            configMap(i, g),
            undefined,
            undefined,
            'bench',
            true,
            PatchStrategy.ServerSideApply,
          );
        };
      }
      // Warm up the JIT (and the client) on another namespace's worth of objects first.
      await runPool(300, CONCURRENCY, (i) => apply(OBJECTS + i, 'warmup'));
      rows.push(await scenario(server, `${client}: create by SSA`, (i) => apply(i, 'one')));
      rows.push(await scenario(server, `${client}: re-apply unchanged (no-op)`, (i) => apply(i, 'one')));
      rows.push(await scenario(server, `${client}: re-apply changed`, (i) => apply(i, 'two')));
    } finally {
      agent.destroy();
      await server.stop();
    }
  }
  console.table(rows);
  const first = rows.find((r) => r.scenario.startsWith('http: create'))!;
  const verdict = first.totalMs <= LIMIT_MS ? 'PASS' : 'FAIL';
  console.log(
    `SSA of ${OBJECTS} ConfigMaps over keep-alive HTTP: ${first.totalMs} ms (limit ${LIMIT_MS} ms) ${verdict}`,
  );
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');
  const out = join(root, 'test/bench/results/kube-apply.json');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(
    out,
    `${JSON.stringify({ benchmark: 'kube-apply', date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, limitMs: LIMIT_MS, rows }, null, 2)}\n`,
  );
  console.log(`results written to ${out}`);
  if (verdict === 'FAIL') process.exitCode = 1;
}

await main();
