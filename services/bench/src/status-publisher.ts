import type { BindingStatus, StatusReport } from '@flotilla/contracts';
import type { AgentChannel } from '../../agent/src/connection/agent-channel.js';
import { connectAgent } from '../../agent/src/connection/connect.js';
import { NatsAuthority, type NatsKeyMaterialJSON } from '../../hub/src/nats/index.js';

/**
 * A child process of the status-ingest scenario playing many agents: each with its own NATS
 * credential and connection (the agent's own `connectAgent`/`publishStatus`), publishing a
 * status report every interval at its own phase. Kept out of the hub's process so that the
 * hub's CPU time is the hub's alone. It mints its agents' credentials itself, with the hub's
 * authority, because signing thousands of JWTs (pure-JS ed25519) takes minutes on one core.
 */

export interface PublishedBinding {
  bindingId: string;
  digest: string;
  commit: string;
}

export interface PublisherAgent {
  clusterId: string;
  /** Offset of this agent's reports within the interval, spreading the fleet evenly. */
  phaseMs: number;
}

export interface PublisherPlan {
  natsUrl: string;
  /** The hub's NATS key material, to mint each agent's credential as registration would. */
  authority: NatsKeyMaterialJSON;
  agents: PublisherAgent[];
  bindings: PublishedBinding[];
  intervalMs: number;
  /** Chance that a binding reports a rollout in progress in one report (it settles in the next). */
  changeRate: number;
}

export type ToPublisher =
  | { type: 'plan'; plan: PublisherPlan }
  /** Wall-clock ms: round 0 starts at `startAt`, reports counted as offered in [from, until). */
  | { type: 'go'; startAt: number; from: number; until: number };

export type FromPublisher =
  | { type: 'connected'; mintMs: number; connectMs: number }
  | { type: 'done'; offered: number; failed: number; firstError: string | null };

const OBJECT_KINDS = ['Deployment', 'Service', 'ConfigMap', 'ServiceAccount', 'HorizontalPodAutoscaler'];

/** What a settled binding reports: every object unchanged and healthy. */
function settled(binding: PublishedBinding): BindingStatus {
  return {
    bindingId: binding.bindingId,
    appliedDigest: binding.digest,
    commit: binding.commit,
    syncState: 'Synced',
    health: 'Healthy',
    objects: OBJECT_KINDS.map((kind) => ({
      group: kind === 'HorizontalPodAutoscaler' ? 'autoscaling' : kind === 'Deployment' ? 'apps' : '',
      kind,
      namespace: 'apps',
      name: `app-${kind.toLowerCase()}`,
      action: 'unchanged' as const,
      health: 'Healthy' as const,
    })),
    durations: { totalMs: 42, fetchMs: 1, applyMs: 30, pruneMs: 2, healthMs: 9 },
  };
}

const rollingOut = (status: BindingStatus): BindingStatus => ({
  ...status,
  syncState: 'OutOfSync',
  health: 'Progressing',
  objects: status.objects.map((o) =>
    o.kind === 'Deployment' ? { ...o, action: 'configured', health: 'Progressing' } : o,
  ),
});

async function run(plan: PublisherPlan) {
  const started = Date.now();
  const authority = NatsAuthority.fromJSON(plan.authority);
  const credentials: string[] = [];
  for (const agent of plan.agents)
    credentials.push((await authority.mintAgentCredentials(agent.clusterId)).creds);
  const minted = Date.now();
  const channels: AgentChannel[] = [];
  // Connect a few at a time: a burst of thousands of TLS-less connects is still a burst.
  for (let i = 0; i < plan.agents.length; i += 50) {
    const batch = plan.agents.slice(i, i + 50);
    channels.push(
      ...(await Promise.all(
        batch.map((agent, j) =>
          connectAgent({
            natsUrl: plan.natsUrl,
            creds: credentials[i + j]!,
            clusterId: agent.clusterId,
            name: `bench-agent:${agent.clusterId}`,
            requestTimeoutMs: 30_000,
          }),
        ),
      )),
    );
  }
  send({ type: 'connected', mintMs: minted - started, connectMs: Date.now() - minted });
  const go = await next<Extract<ToPublisher, { type: 'go' }>>('go');

  const steady = plan.bindings.map(settled);
  let offered = 0;
  let failed = 0;
  let firstError: string | null = null;
  const publishing = plan.agents.map(async (agent, i) => {
    const channel = channels[i]!;
    let seq = 1;
    for (let at = go.startAt + agent.phaseMs; at < go.until; at += plan.intervalMs) {
      await new Promise((resume) => setTimeout(resume, Math.max(0, at - Date.now())));
      const sentAt = Date.now();
      const report: StatusReport = {
        kind: 'status',
        // Above the seq of the rows the scenario seeded.
        seq: ++seq,
        sentAt: new Date(sentAt).toISOString(),
        assignmentRevision: 1,
        bindings: steady.map((status) => (Math.random() < plan.changeRate ? rollingOut(status) : status)),
      };
      try {
        await channel.publishStatus(report);
        if (sentAt >= go.from && sentAt < go.until) offered++;
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  });
  await Promise.all(publishing);
  send({ type: 'done', offered, failed, firstError });
  await Promise.allSettled(channels.map((channel) => channel.close()));
}

const send = (message: FromPublisher) => process.send!(message);

function next<T extends ToPublisher>(type: T['type']): Promise<T> {
  return new Promise((resolve) => {
    const listen = (message: ToPublisher) => {
      if (message.type !== type) return;
      process.off('message', listen);
      resolve(message as T);
    };
    process.on('message', listen);
  });
}

next<Extract<ToPublisher, { type: 'plan' }>>('plan')
  .then(({ plan }) => run(plan))
  .then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`status publisher: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
