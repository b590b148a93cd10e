import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  messages,
  STATUS_STREAM,
  subjects,
  type AssignedBinding,
  type Assignment,
  type StatusReport,
} from '@flotilla/contracts';
import type { KubeObject } from '@flotilla/manifests';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { startOperatorNats, type OperatorNats } from '../../../hub/src/nats/testing/operator-nats.js';
import { connectAgent, type AgentChannel } from '../connection/index.js';
import { ConfigMapInventoryStore, loadKubeConfig } from '../reconcile/index.js';
import {
  AGENT_NAMESPACE,
  startFixture,
  TENANT,
  type Fixture,
  type InputOptions,
} from '../reconcile/medium-fixture.js';
import { AgentRuntime, type AgentRuntimeOptions } from './agent-runtime.js';

/**
 * Shared set-up of the runtime medium tests: a real operator-mode NATS with the hub's
 * JetStream resources, a stand-in hub answering bundle fetches with properly signed bundles,
 * and the reconcile fixture's Kubernetes API test server (TLS) and reconciler.
 */
export const CLUSTER_ID = 'east';

export interface BindingDraft extends InputOptions {
  objects: KubeObject[];
}

export interface RuntimeHarness {
  kube: Fixture;
  nats: OperatorNats;
  stateDir: string;
  /** Bundle fetches the stand-in hub answered, by digest. */
  bundleFetches: Map<string, number>;
  /** Publishes an assignment of these bindings (signing their bundles) in the KV bucket. */
  assign(revision: number, drafts: BindingDraft[], options?: { notify?: boolean }): Promise<Assignment>;
  /** A runtime over the harness's state directory (a second call is an agent restart). */
  runtime(options?: Partial<AgentRuntimeOptions>): Promise<AgentRuntime>;
  connect(): Promise<AgentChannel>;
  /** Every status report the agent published so far, oldest first. */
  reports(): Promise<StatusReport[]>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<RuntimeHarness> {
  const kube = await startFixture();
  const nats = await startOperatorNats();
  const stateDir = await mkdtemp(join(tmpdir(), 'flotilla-agent-'));
  const bundles = new Map<string, { bytes: Uint8Array; signature: string }>();
  const bundleFetches = new Map<string, number>();
  const bundleService = serveBundles(nats, bundles, bundleFetches);
  const channels: AgentChannel[] = [];
  const runtimes: AgentRuntime[] = [];
  const inventory = new ConfigMapInventoryStore(kube.manager, AGENT_NAMESPACE);
  const kubeConfig = loadKubeConfig({ kubeconfig: kube.server.kubeconfig() });
  const jsm = await jetstreamManager(nats.hub);

  return {
    kube,
    nats,
    stateDir,
    bundleFetches,
    async assign(revision, drafts, options = {}) {
      const bindings = drafts.map(({ objects, ...draft }): AssignedBinding => {
        const input = kube.input(objects, draft);
        bundles.set(input.binding.bundleDigest, input.bundle);
        // `force` is agent-side only; the wire policy has no such field.
        const { force: _force, ...syncPolicy } = input.binding.syncPolicy;
        return { ...input.binding, syncPolicy };
      });
      const assignment: Assignment = {
        clusterId: CLUSTER_ID,
        revision,
        tenants: { [TENANT]: { namespaces: [TENANT, `${TENANT}-*`], clusterScopedKinds: [], rules: [] } },
        bindings,
      };
      await nats.assignments!.put(CLUSTER_ID, messages.assignment.encode(assignment));
      if (options.notify !== false) {
        nats.hub.publish(subjects.agentNotify(CLUSTER_ID), messages.assignmentNotice.encode({ revision }));
        await nats.hub.flush();
      }
      return assignment;
    },
    async runtime(options = {}) {
      const runtime = await AgentRuntime.open({
        state: { dir: stateDir },
        reconciler: kube.reconciler,
        inventory,
        watch: { kubeConfig, manager: kube.manager, backoff: { baseMs: 50, maxMs: 500 } },
        debounceMs: 50,
        ...options,
      });
      runtimes.push(runtime);
      return runtime;
    },
    async connect() {
      const { creds } = await nats.authority.mintAgentCredentials(CLUSTER_ID);
      const channel = await connectAgent({
        natsUrl: nats.server.url,
        creds,
        clusterId: CLUSTER_ID,
        name: `agent-${CLUSTER_ID}`,
        requestTimeoutMs: 500,
        reconnectTimeWaitMs: 50,
        reconnectJitterMs: 50,
      });
      channels.push(channel);
      return channel;
    },
    async reports() {
      const info = await jsm.streams.info(STATUS_STREAM);
      const found: StatusReport[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const stored = await jsm.streams.getMessage(STATUS_STREAM, { seq });
        if (stored?.subject !== subjects.status(CLUSTER_ID)) continue;
        const message = messages.statusMessage.decode(stored.data);
        if (message.kind === 'status') found.push(message);
      }
      return found;
    },
    async close() {
      await Promise.all(runtimes.map((runtime) => runtime.stop()));
      await Promise.all(channels.filter((c) => !c.isClosed()).map((c) => c.drain()));
      bundleService.unsubscribe();
      await nats.close();
      await kube.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** The hub's bundle endpoint for one cluster, from memory (the hub signs bundles when it publishes them). */
function serveBundles(
  nats: OperatorNats,
  bundles: Map<string, { bytes: Uint8Array; signature: string }>,
  fetches: Map<string, number>,
): Subscription {
  return nats.hub.subscribe(subjects.hubRequest(CLUSTER_ID, 'bundle'), {
    callback: (error, msg) => {
      if (error) return;
      const { digest } = messages.bundleFetchRequest.decode(msg.data);
      fetches.set(digest, (fetches.get(digest) ?? 0) + 1);
      const bundle = bundles.get(digest);
      msg.respond(
        messages.bundleFetchResponse.encode(
          bundle
            ? {
                status: 'ok',
                digest,
                bundle: Buffer.from(bundle.bytes).toString('base64'),
                signature: bundle.signature,
              }
            : { status: 'not-found', message: `no bundle ${digest}` },
        ),
      );
    },
  });
}
