import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GitTestServer, KubeTestServer } from '@flotilla/testing';
import { AGENT_NAMESPACE, AGENT_NODE_OPTIONS } from '../../../hub/src/clusters/install-manifests.js';
import { HUB_CONFIG, type HubConfig } from '../../../hub/src/config/config.js';
import { natsUrl } from '../../../hub/src/messaging/hub-messaging.service.js';
import { BundleSigner } from '../../../hub/src/revisions/bundle-signer.js';
import { DEFAULT_RATE_LIMIT } from '../../../agent/src/reconcile/index.js';
import { GitOpsHub } from '../../../hub/test/gitops-fixture.js';
import {
  bindingNamespace,
  createBindings,
  registerRepository,
  settledPairs,
  workloadFiles,
  type Workload,
} from '../gitops-repo.js';
import { pick, type BenchOptions } from '../options.js';
import { repoRoot, report, type ResultRow } from '../report.js';
import { round, summarize } from '../stats.js';

const CLOCK_TICKS = 100; // USER_HZ on Linux
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS in MiB and user+system CPU seconds of a process, from /proc. */
async function sample(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // Fields after "(comm) ": state is [0], utime is field 14 overall → [11], stime [12].
  const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / CLOCK_TICKS;
  return { rssMiB: rssKiB / 1024, cpuSeconds };
}

/**
 * Where the RSS is: anonymous memory (V8 heap, malloc, buffers) vs file-backed pages (the node
 * binary and shared libraries, shared with every other node process on the host).
 */
async function rssSplit(pid: number) {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kiB = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? Number.NaN);
  return { anonymousMiB: kiB('Anonymous') / 1024, fileMiB: (kiB('Rss') - kiB('Anonymous')) / 1024 };
}

/** Sockets the process holds open (connections to the API server, NATS, its health port). */
async function openSockets(pid: number): Promise<number> {
  const fds = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith('socket:')).length;
}

/**
 * The agent's V8 heap, from a Node diagnostic report it writes on SIGUSR2 (`--report-on-signal`,
 * added for the benchmark only; it changes nothing until the signal).
 */
async function v8Heap(pid: number, reportDir: string) {
  const before = new Set(await readdir(reportDir));
  process.kill(pid, 'SIGUSR2');
  for (const started = Date.now(); Date.now() - started < 10_000; await sleep(100)) {
    const written = (await readdir(reportDir)).find((name) => !before.has(name) && name.endsWith('.json'));
    if (!written) continue;
    const text = await readFile(join(reportDir, written), 'utf8').catch(() => '');
    try {
      const heap = (JSON.parse(text) as { javascriptHeap: { totalMemory: number; usedMemory: number } })
        .javascriptHeap;
      return { usedMiB: heap.usedMemory / MiB, totalMiB: heap.totalMemory / MiB };
    } catch {
      // Still being written.
    }
  }
  throw new Error('agent wrote no diagnostic report in 10 s');
}

/** RSS once a second and CPU over `seconds`, then where the memory is. */
async function measure(pid: number, seconds: number, reportDir: string) {
  const first = await sample(pid);
  const rss: number[] = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1_000);
    rss.push((await sample(pid)).rssMiB);
  }
  const last = await sample(pid);
  // After the CPU window: writing the report costs CPU.
  const split = await rssSplit(pid);
  const sockets = await openSockets(pid);
  const heap = await v8Heap(pid, reportDir);
  return {
    rss: summarize(rss),
    cpuMsPerSecond: ((last.cpuSeconds - first.cpuSeconds) * 1000) / seconds,
    ...split,
    sockets,
    heap,
  };
}

type Footprint = Awaited<ReturnType<typeof measure>>;

/** One phase's rows: `phase` is "idle" or "loaded". */
function rows(phase: string, footprint: Footprint, target: string): ResultRow[] {
  return [
    { metric: `${phase} RSS p50`, value: round(footprint.rss.p50), unit: 'MiB' },
    { metric: `${phase} RSS max`, value: round(footprint.rss.max), unit: 'MiB', target },
    { metric: `${phase} CPU`, value: round(footprint.cpuMsPerSecond, 2), unit: 'ms/s' },
    { metric: `${phase} RSS anonymous (heap, malloc)`, value: round(footprint.anonymousMiB), unit: 'MiB' },
    { metric: `${phase} RSS file-backed (node binary)`, value: round(footprint.fileMiB), unit: 'MiB' },
    {
      metric: `${phase} V8 heap used / total`,
      value: `${round(footprint.heap.usedMiB)} / ${round(footprint.heap.totalMiB)}`,
      unit: 'MiB',
    },
    { metric: `${phase} open sockets`, value: footprint.sockets, unit: '' },
  ];
}

/** Polls the hub until `want` (binding, cluster) pairs are Synced + Healthy; ms since `since`. */
async function settle(ops: GitOpsHub, want: number, since: number, timeoutMs: number): Promise<number> {
  for (;;) {
    const settled = await settledPairs(ops);
    if (settled === want) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`only ${settled}/${want} pairs settled`);
    await sleep(250);
  }
}

/**
 * One real agent process (`node dist/services/agent/src/main.js` with the install manifest's
 * NODE_OPTIONS, as deployed) against a KubeTestServer, registered with a hub running managed
 * NATS, at production defaults (rate limit, periodic resync, drift watches). Sampled from /proc
 * once a second: first idle and connected with nothing assigned, then loaded: B bindings × O
 * ConfigMaps applied, all pairs Synced + Healthy.
 */
export async function agentFootprint(options: BenchOptions) {
  const seconds = pick(options.samples, options.quick, 20, 60);
  const workload: Workload = {
    bindings: pick(options.bindings, options.quick, 10, 100),
    objects: pick(options.objects, options.quick, 5, 20),
  };
  const git = await GitTestServer.start();
  const ops = await GitOpsHub.start(git);
  const namespaces = Array.from({ length: workload.bindings }, (_, b) => bindingNamespace(b));
  const kube = await KubeTestServer.start({ namespaces: [AGENT_NAMESPACE, ...namespaces] });
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-agent-'));
  const reportDir = join(dir, 'reports');
  let child: ReturnType<typeof spawn> | undefined;
  try {
    await mkdir(reportDir);
    await registerRepository(ops, await git.createRepo('apps'), workloadFiles(workload, 'v0'));
    const registered = await ops.call('POST', '/clusters', { name: 'edge-0', labels: { env: 'prod' } });
    if (registered.status !== 201) throw new Error(`cluster: ${registered.status}`);
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kube.kubeconfig());
    const healthPort = await freePort();
    child = spawn(process.execPath, [join(repoRoot, 'dist/services/agent/src/main.js')], {
      env: {
        PATH: process.env.PATH,
        NODE_OPTIONS: `${AGENT_NODE_OPTIONS} --report-on-signal --report-signal=SIGUSR2 --report-directory=${reportDir}`,
        KUBECONFIG: kubeconfig,
        FLOTILLA_AGENT_NATS_URL: natsUrl(ops.hub.app.get<HubConfig>(HUB_CONFIG)),
        FLOTILLA_AGENT_TOKEN: registered.body.registrationToken as string,
        FLOTILLA_AGENT_BUNDLE_PUBLIC_KEY: ops.hub.app.get(BundleSigner).publicKey,
        FLOTILLA_AGENT_STATE_DIR: join(dir, 'state'),
        FLOTILLA_AGENT_HEALTH_PORT: String(healthPort),
        FLOTILLA_AGENT_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const pid = child.pid!;
    const started = Date.now();
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      if (Date.now() - started > 30_000) throw new Error('agent not ready in 30 s');
      await sleep(100);
    }
    const readyMs = Date.now() - started;
    // Settle (registration, first heartbeat) before sampling idle.
    await sleep(2_000);
    const idle = await measure(pid, seconds, reportDir);

    const bindingsAt = performance.now();
    const cpuBeforeSync = (await sample(pid)).cpuSeconds;
    await createBindings(ops, workload.bindings);
    const syncedMs = await settle(ops, workload.bindings, bindingsAt, 30 * 60_000);
    const syncCpuMs = ((await sample(pid)).cpuSeconds - cpuBeforeSync) * 1000;
    // Let the last status reports and the drift watches' initial lists finish.
    await sleep(2_000);
    const loaded = await measure(pid, seconds, reportDir);

    await report({
      scenario: 'agent-footprint',
      parameters: { seconds, ...workload, nodeOptions: AGENT_NODE_OPTIONS },
      results: [
        { metric: 'start → ready (connected)', value: readyMs, unit: 'ms' },
        ...rows('idle', idle, '≤ 64 MiB'),
        { metric: 'first binding posted → all Synced + Healthy', value: round(syncedMs), unit: 'ms' },
        { metric: 'agent CPU until all Synced', value: round(syncCpuMs), unit: 'ms' },
        ...rows('loaded', loaded, '≤ 96 MiB'),
      ],
      notes: [
        `loaded: ${workload.bindings} bindings × ${workload.objects} ConfigMaps = ${workload.bindings * workload.objects} objects, one namespace per binding`,
        `production defaults: rate limit ${DEFAULT_RATE_LIMIT.qps} qps / burst ${DEFAULT_RATE_LIMIT.burst}, resync every 60 s, a drift watch per kind and namespace`,
        'V8 heap from a diagnostic report (SIGUSR2) after each window; file-backed RSS is the node binary, shared between processes',
      ],
    });
  } finally {
    if (child && child.exitCode === null) {
      // It drains and writes its state dir on the way out: wait, then remove the dir.
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await kube.stop();
    await ops.stop();
    await git.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
