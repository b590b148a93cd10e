import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GitTestServer, KubeTestServer } from '@flotilla/testing';
import { HUB_CONFIG, type HubConfig } from '../../../hub/src/config/config.js';
import { natsUrl } from '../../../hub/src/messaging/hub-messaging.service.js';
import { BundleSigner } from '../../../hub/src/revisions/bundle-signer.js';
import { GitOpsHub } from '../../../hub/test/gitops-fixture.js';
import { pick, type BenchOptions } from '../options.js';
import { repoRoot, report } from '../report.js';
import { round, summarize } from '../stats.js';

const CLOCK_TICKS = 100; // USER_HZ on Linux

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
 * One real agent process (`node dist/services/agent/src/main.js`, as `npm run agent`) against a
 * KubeTestServer, registered with a hub running managed NATS; RSS and CPU are sampled from
 * /proc once a second while it sits idle and connected.
 */
export async function agentFootprint(options: BenchOptions) {
  const seconds = pick(options.samples, options.quick, 20, 60);
  const git = await GitTestServer.start();
  const ops = await GitOpsHub.start(git);
  const kube = await KubeTestServer.start({ namespaces: ['flotilla-system'] });
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-agent-'));
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const registered = await ops.call('POST', '/clusters', { name: 'edge-0', labels: { env: 'prod' } });
    if (registered.status !== 201) throw new Error(`cluster: ${registered.status}`);
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kube.kubeconfig());
    const healthPort = await freePort();
    child = spawn(process.execPath, [join(repoRoot, 'dist/services/agent/src/main.js')], {
      env: {
        PATH: process.env.PATH,
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
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const readyMs = Date.now() - started;
    // Settle (registration, first heartbeat) before sampling idle.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const first = await sample(pid);
    const rss: number[] = [];
    for (let i = 0; i < seconds; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      rss.push((await sample(pid)).rssMiB);
    }
    const last = await sample(pid);
    const cpuMsPerSecond = ((last.cpuSeconds - first.cpuSeconds) * 1000) / seconds;
    const s = summarize(rss);
    await report({
      scenario: 'agent-footprint',
      parameters: { seconds, bindings: 0 },
      results: [
        { metric: 'start → ready (connected)', value: readyMs, unit: 'ms' },
        { metric: 'idle RSS p50', value: round(s.p50), unit: 'MiB' },
        { metric: 'idle RSS max', value: round(s.max), unit: 'MiB', target: '≤ 64 MiB' },
        { metric: 'idle CPU', value: round(cpuMsPerSecond, 2), unit: 'ms/s' },
      ],
      notes: [
        'idle only (no bindings assigned); the loaded case (B bindings × 20 objects) is not written yet',
      ],
    });
  } finally {
    child?.kill('SIGTERM');
    await kube.stop();
    await ops.stop();
    await git.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
