import {
  inboxPrefix,
  messages,
  PROTOCOL_VERSION,
  STATUS_STREAM,
  subjects,
  ASSIGNMENTS_BUCKET,
  clusterIdFromSubject,
  type Assignment,
} from '@flotilla/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, errors } from '@nats-io/transport-node';
import { connectAgent, type AgentChannel } from '../../../agent/src/connection/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserCredentials } from './claims.js';
import { serveHubRequests } from './testing/hub-responder.js';
import { startOperatorNats, type OperatorNats } from './testing/operator-nats.js';

const A = 'cluster-a';
const B = 'cluster-b';

function assignmentFor(clusterId: string, revision: number): Assignment {
  return {
    clusterId,
    revision,
    tenants: { team: { namespaces: ['team-*'], clusterScopedKinds: [], rules: [] } },
    bindings: [
      {
        bindingId: `${clusterId}-web`,
        tenant: 'team',
        name: 'web',
        bundleDigest: `sha256:${'1'.repeat(64)}`,
        commit: 'c'.repeat(40),
        namespace: 'team-web',
        syncPolicy: { automated: true, prune: true, selfHeal: true },
        suspended: false,
      },
    ],
  };
}

/** A raw connection with an agent's credential: what a compromised agent could do. */
async function rawAgentConnection(url: string, clusterId: string, credentials: UserCredentials) {
  const nc = await connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(credentials.creds)),
    inboxPrefix: inboxPrefix(clusterId),
  });
  const denied: InstanceType<typeof errors.PermissionViolationError>[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error' && status.error instanceof errors.PermissionViolationError)
        denied.push(status.error);
    }
  })();
  // A denied request fails at once (instead of timing out) and is reported on the connection.
  const expectRequestDenied = async (subject: string, payload = '') => {
    const failure = await nc.request(subject, payload, { timeout: 2_000 }).then(
      () => null,
      (error: Error) => error,
    );
    expect(failure?.cause ?? failure).toBeInstanceOf(errors.PermissionViolationError);
    await expectDenied('publish', subject);
  };
  const expectDenied = (operation: 'publish' | 'subscription', subject: string) =>
    vi.waitFor(() => expect(denied).toContainEqual(expect.objectContaining({ operation, subject })), {
      timeout: 2_000,
    });
  return { nc, expectDenied, expectRequestDenied };
}

describe('agent credentials are confined to their own cluster', () => {
  let nats: OperatorNats;
  let credsA: UserCredentials;
  let credsB: UserCredentials;
  let agentA: AgentChannel;
  let agentB: AgentChannel;
  let attacker: Awaited<ReturnType<typeof rawAgentConnection>>;
  let hubState: ReturnType<typeof serveHubRequests>['state'];

  beforeAll(async () => {
    nats = await startOperatorNats();
    hubState = serveHubRequests(nats.hub).state;
    credsA = await nats.authority.mintAgentCredentials(A);
    credsB = await nats.authority.mintAgentCredentials(B);
    const kv = nats.assignments!;
    await kv.put(A, messages.assignment.encode(assignmentFor(A, 1)));
    await kv.put(B, messages.assignment.encode(assignmentFor(B, 7)));
    agentA = await connectAgent({
      natsUrl: nats.server.url,
      creds: credsA.creds,
      clusterId: A,
      name: 'agent-a',
    });
    agentB = await connectAgent({
      natsUrl: nats.server.url,
      creds: credsB.creds,
      clusterId: B,
      name: 'agent-b',
    });
    attacker = await rawAgentConnection(nats.server.url, A, credsA);
  });

  afterAll(async () => {
    await Promise.all([agentA, agentB].filter(Boolean).map((a) => (a.isClosed() ? undefined : a.drain())));
    if (attacker && !attacker.nc.isClosed()) await attacker.nc.close();
    await nats?.close();
  });

  describe("A cannot reach B's data", () => {
    it("cannot read B's assignment by direct get", async () => {
      const subject = subjects.assignmentDirectGet(B);
      await attacker.expectRequestDenied(subject);
    });

    it("cannot read B's assignment through STREAM.MSG.GET", async () => {
      const subject = `$JS.API.STREAM.MSG.GET.KV_${ASSIGNMENTS_BUCKET}`;
      const query = JSON.stringify({ last_by_subj: subjects.assignmentKey(B) });
      await attacker.expectRequestDenied(subject, query);
    });

    it("cannot publish B's status", async () => {
      attacker.nc.publish(subjects.status(B), messages.statusMessage.encode(heartbeat(1)));
      await attacker.expectDenied('publish', subjects.status(B));
      const jsm = await jetstreamManager(nats.hub);
      expect(await jsm.streams.getMessage(STATUS_STREAM, { last_by_subj: subjects.status(B) })).toBeNull();
    });

    it.each([
      ['notify', subjects.agentNotify(B)],
      ['reply inbox', `${inboxPrefix(B)}.>`],
      ['JetStream API', '$JS.API.>'],
      ['everything', '>'],
    ])("cannot subscribe to B's %s", async (_what, subject) => {
      attacker.nc.subscribe(subject);
      await attacker.expectDenied('subscription', subject);
    });

    it('cannot create a consumer', async () => {
      const subject = `$JS.API.CONSUMER.CREATE.${STATUS_STREAM}`;
      const config = JSON.stringify({
        stream_name: STATUS_STREAM,
        config: { deliver_subject: subjects.agentNotify(B) },
      });
      await attacker.expectRequestDenied(subject, config);
    });

    it.each(['hello', 'assignment', 'bundle'] as const)('cannot request flotilla.hub.B.%s', async (op) => {
      const subject = subjects.hubRequest(B, op);
      await attacker.expectRequestDenied(subject, '{}');
      expect(hubState.hellos.has(B)).toBe(false);
    });

    it("does not receive B's notices", async () => {
      const seenByA: unknown[] = [];
      const seenByB: unknown[] = [];
      const stopA = await agentA.onNotify((n) => seenByA.push(n));
      const stopB = await agentB.onNotify((n) => seenByB.push(n));
      nats.hub.publish(subjects.agentNotify(B), messages.assignmentNotice.encode({ revision: 8 }));
      await vi.waitFor(() => expect(seenByB).toEqual([{ revision: 8 }]));
      await nats.hub.flush();
      expect(seenByA).toEqual([]);
      stopA();
      stopB();
    });

    it('stays usable after all those denials', async () => {
      expect(attacker.nc.isClosed()).toBe(false);
      const reply = await attacker.nc.request(subjects.assignmentDirectGet(A), '', { timeout: 2_000 });
      expect(messages.assignment.decode(reply.data).clusterId).toBe(A);
    });
  });

  describe('A can do its own work', () => {
    it('reads its own assignment', async () => {
      expect(await agentA.requestAssignment()).toEqual(assignmentFor(A, 1));
      expect(await agentB.requestAssignment()).toEqual(assignmentFor(B, 7));
    });

    it('publishes its status with a JetStream ack, which the hub reads back by subject', async () => {
      const ack = await agentA.publishStatus(heartbeat(42));
      expect(ack.stream).toBe(STATUS_STREAM);
      expect(ack.duplicate).toBe(false);
      const jsm = await jetstreamManager(nats.hub);
      const stored = await jsm.streams.getMessage(STATUS_STREAM, { seq: ack.seq });
      expect(clusterIdFromSubject(stored!.subject)).toBe(A);
      expect(messages.statusMessage.decode(stored!.data)).toMatchObject({ kind: 'heartbeat', seq: 42 });
    });

    it('receives its own notices', async () => {
      const seen: unknown[] = [];
      const stop = await agentA.onNotify((n) => seen.push(n));
      nats.hub.publish(subjects.agentNotify(A), messages.assignmentNotice.encode({ revision: 2 }));
      nats.hub.publish(subjects.agentNotify(A), 'not json');
      await vi.waitFor(() => expect(seen).toEqual([{ revision: 2 }, null]));
      stop();
    });

    it('says hello to the hub over request-reply', async () => {
      const hello = {
        agentVersion: '0.1.0',
        protocolVersion: PROTOCOL_VERSION,
        kubernetesVersion: 'v1.32.0',
        nodeCount: 3,
      };
      expect(await agentA.hello(hello)).toEqual({ status: 'accepted', protocolVersion: PROTOCOL_VERSION });
      expect(await agentA.hello({ ...hello, protocolVersion: PROTOCOL_VERSION + 1 })).toMatchObject({
        status: 'refused',
        reason: 'protocol-too-new',
      });
      expect(hubState.hellos.get(A)).toHaveLength(2);
    });

    it('fetches a bundle by digest', async () => {
      const digest = `sha256:${'2'.repeat(64)}`;
      hubState.bundles.set(digest, Buffer.from('bundle bytes'));
      const response = await agentA.fetchBundle(digest);
      expect(response.status).toBe('ok');
      expect(response.status === 'ok' && Buffer.from(response.bundle, 'base64').toString()).toBe(
        'bundle bytes',
      );
      expect(await agentA.fetchBundle(`sha256:${'3'.repeat(64)}`)).toMatchObject({ status: 'not-found' });
    });
  });
});

function heartbeat(seq: number) {
  return {
    kind: 'heartbeat',
    seq,
    sentAt: new Date().toISOString(),
    agentVersion: '0.1.0',
    protocolVersion: PROTOCOL_VERSION,
    assignmentRevision: 1,
  } as const;
}
