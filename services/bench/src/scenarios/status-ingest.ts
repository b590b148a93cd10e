import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { STATUS_STREAM } from '@flotilla/contracts';
import { GitTestServer } from '@flotilla/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { HUB_CONFIG, type HubConfig } from '../../../hub/src/config/config.js';
import { STATUS_CONSUMER } from '../../../hub/src/messaging/hub-connection.js';
import { HubMessaging, natsUrl } from '../../../hub/src/messaging/hub-messaging.service.js';
import { NatsAuthorityService } from '../../../hub/src/messaging/nats-authority.service.js';
import { GitOpsHub } from '../../../hub/test/gitops-fixture.js';
import { pick, type BenchOptions } from '../options.js';
import { report, type ResultRow } from '../report.js';
import { round, summarize } from '../stats.js';
import type { FromPublisher, PublisherAgent, PublisherPlan, ToPublisher } from '../status-publisher.js';
import { seed } from './fleet-status.js';

/** Agents per publisher child process: enough processes to spread them, few enough for 2 cores. */
const AGENTS_PER_PUBLISHER = 1_000;
/** Share of binding reports that show a rollout in progress (the rest report nothing new). */
const CHANGE_RATE = 0.01;

/**
 * Status ingest at fleet size: a hub with managed NATS, N clusters × B bindings seeded by SQL
 * (as fleet-status does: clusters, bindings, published assignment state, one deployment row per
 * pair), and N agents, each with its own NATS credential and connection, in child processes,
 * reporting every interval at evenly spread phases. The first interval is a warm-up (it also
 * settles the seeded pairs that were not Synced); then `samples` seconds are measured: reports
 * offered and committed, publish → commit lag, and CPU of the hub process, nats-server and
 * PostgreSQL (this database's backends and the server's background processes).
 */
export async function statusIngest(options: BenchOptions) {
  const clusters = pick(options.clusters ?? options.agents, options.quick, 200, 5_000);
  // Ten bindings per cluster: a handful of platform add-ons plus a few team apps.
  const bindings = pick(options.bindings, options.quick, 10, 10);
  const seconds = pick(options.samples, options.quick, 30, 60);
  const intervalMs = (options.interval ?? 10) * 1_000;

  const git = await GitTestServer.start();
  const ops = await GitOpsHub.start(git).catch(async (error: unknown) => {
    await git.stop();
    throw error;
  });
  const publishers: ChildProcess[] = [];
  try {
    const setupStart = Date.now();
    await seed(ops.hub, clusters, bindings);
    const fleet = await fleetOf(ops);
    const seededMs = Date.now() - setupStart;
    const authority = ops.hub.app.get(NatsAuthorityService).authority.toJSON();
    const agents: PublisherAgent[] = fleet.clusterIds.map((clusterId, i) => ({
      clusterId,
      phaseMs: Math.floor((i * intervalMs) / clusters),
    }));

    const url = natsUrl(ops.hub.app.get<HubConfig>(HUB_CONFIG));
    const groups = Math.ceil(clusters / AGENTS_PER_PUBLISHER);
    const done: Promise<Extract<FromPublisher, { type: 'done' }>>[] = [];
    const connected: Promise<Extract<FromPublisher, { type: 'connected' }>>[] = [];
    for (let g = 0; g < groups; g++) {
      const child = fork(new URL('../status-publisher.js', import.meta.url), { stdio: 'inherit' });
      publishers.push(child);
      connected.push(reply(child, 'connected'));
      const finished = reply(child, 'done');
      // Awaited after the run; a publisher that dies earlier fails `connected` first.
      finished.catch(() => undefined);
      done.push(finished);
      const plan: PublisherPlan = {
        natsUrl: url,
        authority,
        agents: agents.filter((_, i) => i % groups === g),
        bindings: fleet.bindings,
        intervalMs,
        changeRate: CHANGE_RATE,
      };
      child.send({ type: 'plan', plan } satisfies ToPublisher);
    }
    const ready = await Promise.all(connected);
    const agentsReadyMs = Date.now() - setupStart - seededMs;
    const slowest = (field: 'mintMs' | 'connectMs') => Math.max(...ready.map((r) => r[field]));

    // Every committed report, by commit time: the listeners run after the commit and the ack.
    const committed: { at: number; lagMs: number; sentAt: number }[] = [];
    ops.hub.app.get(HubMessaging).onStatus((_clusterId, message) => {
      const at = Date.now();
      committed.push({ at, sentAt: Date.parse(message.sentAt), lagMs: at - Date.parse(message.sentAt) });
    });

    const startAt = Date.now() + 1_000;
    const from = startAt + intervalMs;
    const until = from + seconds * 1_000;
    for (const child of publishers) child.send({ type: 'go', startAt, from, until } satisfies ToPublisher);

    await sleepUntil(from);
    const stack = await stackProcesses(ops);
    const before = { hub: process.cpuUsage(), stack: stack.map(cpuTicks), wall: Date.now() };
    await sleepUntil(until);
    const after = { hub: process.cpuUsage(), stack: stack.map(cpuTicks), wall: Date.now() };
    const backlog = await consumerBacklog(ops);
    const sent = await Promise.all(done);

    const offered = sent.reduce((sum, s) => sum + s.offered, 0);
    const failed = sent.reduce((sum, s) => sum + s.failed, 0);
    // Reports sent in the window get until a drain period to be committed; their lag counts.
    const drainUntil = Date.now() + 30_000;
    const sentInWindow = () => committed.filter((c) => c.sentAt >= from && c.sentAt < until);
    while (sentInWindow().length < offered && Date.now() < drainUntil) await sleepUntil(Date.now() + 200);
    const lags = summarize(sentInWindow().map((c) => c.lagMs));
    const windowSeconds = (after.wall - before.wall) / 1_000;
    const ingested = committed.filter((c) => c.at >= before.wall && c.at < after.wall).length;

    const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    const cores = (ticks: number) => ticks / tick / windowSeconds;
    const hubCpuMs = (after.hub.user + after.hub.system - before.hub.user - before.hub.system) / 1_000;
    const stackTicks = (kind: StackProcess['kind']) =>
      stack.reduce((sum, p, i) => (p.kind === kind ? sum + after.stack[i]! - before.stack[i]! : sum), 0);
    const natsCores = cores(stackTicks('nats-server'));
    const postgresCores = cores(stackTicks('postgres'));
    const hubCores = hubCpuMs / 1_000 / windowSeconds;

    const results: ResultRow[] = [
      { metric: 'setup: seed clusters, bindings, rows', value: seededMs, unit: 'ms' },
      { metric: 'setup: agents ready (in parallel)', value: agentsReadyMs, unit: 'ms' },
      { metric: 'setup: mint credentials (slowest publisher)', value: slowest('mintMs'), unit: 'ms' },
      { metric: 'setup: connect agents (slowest publisher)', value: slowest('connectMs'), unit: 'ms' },
      { metric: 'reports offered', value: round(offered / windowSeconds), unit: 'reports/s' },
      { metric: 'reports ingested', value: round(ingested / windowSeconds), unit: 'reports/s' },
      { metric: 'publish failures', value: failed, unit: 'reports' },
      { metric: 'consumer backlog at end', value: backlog, unit: 'reports' },
      { metric: 'ingest lag p50', value: round(lags.p50), unit: 'ms' },
      { metric: 'ingest lag p95', value: round(lags.p95), unit: 'ms' },
      { metric: 'reports in window committed', value: `${lags.count}/${offered}`, unit: 'reports' },
      { metric: 'hub CPU per report', value: round(hubCpuMs / ingested, 2), unit: 'ms', target: '≤ 1 ms' },
      { metric: 'hub process', value: round(hubCores, 2), unit: 'cores' },
      { metric: 'nats-server', value: round(natsCores, 2), unit: 'cores' },
      { metric: 'PostgreSQL', value: round(postgresCores, 2), unit: 'cores' },
      {
        metric: 'stack',
        value: round(hubCores + natsCores + postgresCores, 2),
        unit: 'cores',
        target: '≤ 1 core',
      },
    ];
    const keptUp = backlog < offered / windowSeconds && lags.count >= offered;
    await report({
      scenario: 'status-ingest',
      parameters: { clusters, bindings, intervalSeconds: intervalMs / 1_000, seconds, publishers: groups },
      results,
      notes: [
        keptUp
          ? 'the hub kept up with the offered rate'
          : `the hub did not keep up: it sustains about ${round(ingested / windowSeconds)} reports/s`,
        `${CHANGE_RATE * 100}% of binding reports show a rollout (the rest are unchanged); ${bindings} bindings × 5 objects per report`,
        'hub in the benchmark process (CPU from process.cpuUsage); agents in child processes; Postgres CPU counts its background processes, shared with anything else on the server',
      ],
    });
  } finally {
    for (const child of publishers) child.kill();
    await ops.stop().catch(() => undefined);
    await git.stop().catch(() => undefined);
  }
}

async function fleetOf(ops: GitOpsHub) {
  const bindings = await ops.hub.sql<{ bindingId: string; digest: string; commit: string }>(
    `SELECT b.id AS "bindingId", r.bundle_digest AS digest, r.commit
     FROM binding b JOIN revision r ON r.binding_id = b.id ORDER BY b.name`,
  );
  const clusters = await ops.hub.sql<{ id: string }>(`SELECT id FROM cluster ORDER BY name`);
  return { bindings, clusterIds: clusters.map((c) => c.id) };
}

interface StackProcess {
  kind: 'nats-server' | 'postgres';
  pid: number;
}

/** The managed nats-server (a child of this process) and the PostgreSQL processes serving this hub. */
async function stackProcesses(ops: GitOpsHub): Promise<StackProcess[]> {
  const nats = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => ({ pid: Number(entry), stat: procStat(Number(entry)) }))
    .filter(({ stat }) => stat?.comm === 'nats-server' && stat.ppid === process.pid)
    .map(({ pid }) => ({ kind: 'nats-server' as const, pid }));
  const postgres = await ops.hub.sql<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR backend_type <> 'client backend'`,
  );
  return [...nats, ...postgres.map(({ pid }) => ({ kind: 'postgres' as const, pid }))];
}

/** Fields of /proc/<pid>/stat; the command name is parenthesised and may contain spaces. */
function procStat(pid: number) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return {
      comm: text.slice(text.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      // utime and stime, in clock ticks.
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return null; // the process ended
  }
}

const cpuTicks = ({ pid }: StackProcess) => procStat(pid)?.ticks ?? 0;

async function consumerBacklog(ops: GitOpsHub): Promise<number> {
  const jsm = await jetstreamManager((await ops.hub.app.get(HubMessaging).ready()).nc);
  const info = await jsm.consumers.info(STATUS_STREAM, STATUS_CONSUMER);
  return info.num_pending + info.num_ack_pending;
}

function reply<T extends FromPublisher['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<FromPublisher, { type: T }>> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) =>
      reject(new Error(`status publisher exited (${code}) before ${type}`));
    child.once('exit', exited);
    child.on('message', (message: FromPublisher) => {
      if (message.type !== type) return;
      child.off('exit', exited);
      resolve(message as Extract<FromPublisher, { type: T }>);
    });
  });
}

const sleepUntil = (at: number) => new Promise((resume) => setTimeout(resume, Math.max(0, at - Date.now())));
