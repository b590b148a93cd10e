import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bootstrapInboxPrefix,
  decodeRegistrationToken,
  encodeRegistrationToken,
  inboxPrefix,
  messages,
  subjects,
  type Assignment,
  type StatusReport,
} from '@flotilla/contracts';
import { KubeTestServer, freePort } from '@flotilla/testing';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { jetstream } from '@nats-io/jetstream';
import { createUser } from '@nats-io/nkeys';
import { connect, credsAuthenticator, jwtAuthenticator } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Agent } from '../../services/agent/src/agent.js';
import { registerAgent, RegistrationRefusedError } from '../../services/agent/src/connection/registration.js';
import { HubMessaging } from '../../services/hub/src/messaging/hub-messaging.service.js';
import { ManagedNatsServer } from '../../services/hub/src/messaging/managed-nats.js';
import { TestHub, type Json } from '../../services/hub/test/harness.js';

const NAMESPACE = 'flotilla-system';

async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resume) => setTimeout(resume, 100));
  }
}

describe('cluster registration end to end (hub + operator-mode NATS + Kubernetes API test server)', () => {
  let dataDir: string;
  let hub: TestHub;
  let nats: ManagedNatsServer;
  let natsUrl: string;
  let kube: KubeTestServer;
  let objects: KubernetesObjectApi;
  const agents: Agent[] = [];

  const cluster = async (name: string) => (await hub.call('GET', `/api/v1/clusters/${name}`)).body;
  const startAgent = (opts: { token?: string } = {}) => {
    const agent = new Agent({
      natsUrl,
      registrationToken: opts.token,
      // The agent's own ServiceAccount from the install manifests: proves their RBAC suffices.
      kube: { kubeconfig: kube.kubeconfig({ token: kube.serviceAccountToken(NAMESPACE, 'flotilla-agent') }) },
      heartbeatIntervalMs: 200,
      tokenPollIntervalMs: 200,
      retryMs: 200,
    });
    agents.push(agent);
    agent.start();
    return agent;
  };
  const storedCreds = async () => {
    const secret = (await objects.read({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flotilla-agent-credentials', namespace: NAMESPACE },
    })) as Json;
    return Buffer.from(secret.data.creds, 'base64').toString();
  };
  const putRegistrationSecret = (token: string) =>
    objects.patch(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'flotilla-agent-registration', namespace: NAMESPACE },
        stringData: { token },
      } as KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
  /** A raw connection with a cluster's agent credential: tries what the Agent class never would. */
  const connectAs = (creds: string, clusterId: string) =>
    connect({
      servers: natsUrl,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      inboxPrefix: inboxPrefix(clusterId),
      maxReconnectAttempts: 0,
    });
  const refusal = (token: string) =>
    registerAgent({ natsUrl, token, agentVersion: 'test' }).then(
      () => null,
      (error: unknown) => error as RegistrationRefusedError,
    );
  const audit = (action: string, outcome: string) =>
    hub.sql(`SELECT after FROM audit_event WHERE action = $1 AND outcome = $2 ORDER BY id`, [
      action,
      outcome,
    ]);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flotilla-e2e-'));
    const port = await freePort();
    natsUrl = `nats://127.0.0.1:${port}`;
    hub = await TestHub.start({
      FLOTILLA_NATS_MODE: 'external',
      FLOTILLA_NATS_URL: natsUrl,
      FLOTILLA_NATS_PORT: String(port),
      FLOTILLA_DATA_DIR: dataDir,
      FLOTILLA_CLUSTER_OFFLINE_AFTER_SECONDS: '5',
    });
    // The hub wrote the server configuration for its own operator; run NATS with it.
    const config = join(dataDir, 'nats', 'nats.conf');
    await eventually(async () => existsSync(config), 'the NATS configuration');
    nats = await ManagedNatsServer.start('/usr/sbin/nats-server', config);
    await hub.app.get(HubMessaging).ready();
    kube = await KubeTestServer.start({ tls: true });
    const kc = new KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    objects = KubernetesObjectApi.makeApiClient(kc);
    for (const name of ['node-a', 'node-b']) {
      await objects.create({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    }
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await hub?.stop();
    await nats?.stop();
    await kube?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('register → apply install.yaml → agent starts → cluster Online with versions and node count', async () => {
    const created = await hub.call('POST', '/api/v1/clusters', {
      body: { name: 'edge-1', labels: { env: 'prod' } },
    });
    expect(created.status).toBe(201);
    const yaml = await (
      await fetch(`${hub.url}/api/v1/clusters/edge-1/install.yaml`, {
        headers: { authorization: `Bearer ${hub.adminToken}` },
      })
    ).text();
    for (const doc of parseAllDocuments(yaml)) await objects.create(doc.toJS() as KubernetesObject);

    const agent = startAgent(); // token comes from the applied Secret
    const online = await eventually(async () => {
      const body = await cluster('edge-1');
      return body.state === 'Online' && body.nodeCount !== null ? body : null;
    }, 'edge-1 Online');
    expect(online).toMatchObject({
      agentVersion: '0.1.0',
      nodeCount: 2,
      credentialIssued: true,
      protocolRefusal: null,
    });
    expect(online.kubernetesVersion).toMatch(/^v1\.\d+/);
    await eventually(async () => agent.state === 'connected', 'hello answered');
    expect(await storedCreds()).toContain('NATS USER JWT');
    // Once the agent's own credential connected, NATS refuses the install token outright.
    const installToken = decodeRegistrationToken(parseAllDocuments(yaml)[6]!.toJS().stringData.token);
    expect((await refusal(encodeRegistrationToken(installToken)))?.reason).toBe('bootstrap-rejected');
    expect(await audit('clusters:register', 'success')).toHaveLength(1);
    expect((await hub.call('GET', '/readyz', { token: null })).body.checks).toEqual({
      postgres: 'ok',
      nats: 'ok',
    });
  });

  it('a restarted agent reuses its stored credential: no new registration', async () => {
    await agents.pop()!.stop();
    const before = (await hub.sql(`SELECT last_seq FROM cluster WHERE name = 'edge-1'`))[0].last_seq;
    const agent = startAgent();
    await eventually(async () => agent.state === 'connected', 'reconnected agent');
    await eventually(
      async () =>
        Number((await hub.sql(`SELECT last_seq FROM cluster WHERE name = 'edge-1'`))[0].last_seq) >
        Number(before),
      'a new heartbeat',
    );
    expect(await audit('clusters:register', 'success')).toHaveLength(1);
  });

  it('refuses a wrong, an expired and a second use of a token, and audits each', async () => {
    const issued = await hub.call('POST', '/api/v1/clusters/edge-1/registration-tokens');
    const payload = decodeRegistrationToken(issued.body.registrationToken);
    const wrong = encodeRegistrationToken({ ...payload, secret: 'not-the-secret-at-all-0123456789' });
    const wrongError = await refusal(wrong);
    expect(wrongError).toBeInstanceOf(RegistrationRefusedError);
    expect(wrongError?.reason).toBe('invalid-token');

    await hub.sql(
      `UPDATE cluster_registration_token SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`,
    );
    expect((await refusal(issued.body.registrationToken))?.reason).toBe('expired');

    // Second use: two requests for one token, sent together on its bootstrap connection.
    const fresh = (await hub.call('POST', '/api/v1/clusters/edge-1/registration-tokens')).body
      .registrationToken;
    const boot = decodeRegistrationToken(fresh);
    const bootstrap = await connect({
      servers: natsUrl,
      authenticator: jwtAuthenticator(boot.jwt, new TextEncoder().encode(boot.seed)),
      inboxPrefix: bootstrapInboxPrefix(boot.cluster),
      maxReconnectAttempts: 0,
    });
    const ask = () =>
      bootstrap
        .request(
          subjects.register(boot.cluster),
          messages.registerRequest.encode({
            secret: boot.secret,
            publicKey: createUser().getPublicKey(),
            agentVersion: 'test',
            protocolVersion: 1,
          }),
          { timeout: 3_000 },
        )
        .then((reply) => messages.registerResponse.decode(reply.data));
    const outcomes = await Promise.allSettled([ask(), ask()]);
    await bootstrap.close().catch(() => undefined);
    const registered = outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'registered');
    expect(registered).toHaveLength(1);
    // A third try with yet another key is refused too…
    expect((await refusal(fresh))?.reason).toBe('already-used');
    // …but the agent that won may ask again with its own key (it lost the answer): same answer.
    const key = createUser();
    const retried = (await hub.call('POST', '/api/v1/clusters/edge-1/registration-tokens')).body
      .registrationToken;
    const first = await registerAgent({ natsUrl, token: retried, agentVersion: 'test', user: key });
    const again = await registerAgent({ natsUrl, token: retried, agentVersion: 'test', user: key });
    expect(again.clusterId).toBe(first.clusterId);
    expect((await audit('clusters:register', 'success')).at(-1).after.retry).toBe(true);
    const denied = (await audit('clusters:register', 'denied')).map((row: Json) => row.after.reason);
    expect(denied.sort()).toEqual(['already-used', 'already-used', 'expired', 'invalid-token']);
    // That registration replaced the agent's key: the running agent is cut off and waits.
    await eventually(async () => agents.at(-1)!.state === 'waiting-for-token', 'agent cut off');
    const restore = (await hub.call('POST', '/api/v1/clusters/edge-1/registration-tokens')).body
      .registrationToken;
    await putRegistrationSecret(restore);
    await eventually(
      async () => agents.at(-1)!.state === 'connected' && (await cluster('edge-1')).state === 'Online',
      'agent back',
    );
  });

  it('serves a cluster only its own assignment through the hub, and attributes a forged report to the sender', async () => {
    const b = (await hub.call('POST', '/api/v1/clusters', { body: { name: 'edge-2' } })).body;
    await registerAgent({ natsUrl, token: b.registrationToken, agentVersion: 'test' });
    const a = await cluster('edge-1');
    const messaging = hub.app.get(HubMessaging);
    const assignment = (clusterId: string, revision: number): Assignment => ({
      clusterId,
      revision,
      tenants: {},
      bindings: [],
    });
    await messaging.putAssignment(a.id, assignment(a.id, 1));
    await messaging.putAssignment(b.id, assignment(b.id, 7));
    expect(await messaging.getAssignment(b.id)).toEqual(assignment(b.id, 7));

    const nc = await connectAs(await storedCreds(), a.id);
    const js = jetstream(nc, { checkAPI: false, timeout: 1_500 });
    try {
      // Through the hub's handler (not the KV): the cluster comes from the subject, so A gets A's.
      const reply = await nc.request(
        subjects.hubRequest(a.id, 'assignment'),
        messages.assignmentRequest.encode({}),
        { timeout: 5_000 },
      );
      expect(messages.assignmentResponse.decode(reply.data)).toEqual({
        status: 'ok',
        assignment: assignment(a.id, 1),
      });
      // Version negotiation: a too-new agent is refused, and the cluster shows why.
      const hello = (protocolVersion: number) =>
        nc
          .request(
            subjects.hubRequest(a.id, 'hello'),
            messages.helloRequest.encode({
              agentVersion: '9.0.0',
              protocolVersion,
              kubernetesVersion: 'v1.32.0',
              nodeCount: 2,
            }),
            { timeout: 5_000 },
          )
          .then((answer) => messages.helloResponse.decode(answer.data));
      expect(await hello(99)).toMatchObject({ status: 'refused', reason: 'protocol-too-new' });
      expect((await cluster('edge-1')).protocolRefusal).toContain('upgrade the hub');
      expect(await hello(1)).toEqual({ status: 'accepted', protocolVersion: 1 });
      expect((await cluster('edge-1')).protocolRefusal).toBeNull();
      // A's credential can neither ask the hub for B's assignment nor publish B's status.
      await expect(
        nc.request(subjects.hubRequest(b.id, 'assignment'), messages.assignmentRequest.encode({}), {
          timeout: 1_000,
        }),
      ).rejects.toThrow();
      await expect(
        js.publish(subjects.status(b.id), messages.statusMessage.encode(heartbeat(Date.now() * 1000))),
      ).rejects.toThrow();

      const report: StatusReport = {
        kind: 'status',
        seq: Date.now() * 1000 + 500,
        sentAt: new Date().toISOString(),
        assignmentRevision: 1,
        bindings: [],
      };
      await js.publish(subjects.status(a.id), messages.statusMessage.encode(report));
      // A payload naming B arrives on A's subject: it breaks the contract and is dropped; a
      // later valid heartbeat is still ingested (for A), and B never changes.
      const forged = { ...heartbeat(report.seq + 1), clusterId: b.id };
      await js.publish(subjects.status(a.id), new TextEncoder().encode(JSON.stringify(forged)));
      await js.publish(subjects.status(a.id), messages.statusMessage.encode(heartbeat(report.seq + 2)));
      await eventually(
        async () =>
          Number((await hub.sql(`SELECT last_seq FROM cluster WHERE id = $1`, [a.id]))[0].last_seq) >=
          report.seq + 2,
        'A ingested',
      );
      expect(
        await hub.sql(`SELECT seq FROM cluster_report WHERE cluster_id = $1 AND seq = $2`, [
          a.id,
          report.seq,
        ]),
      ).toHaveLength(1);
      expect(await hub.sql(`SELECT 1 FROM cluster_report WHERE cluster_id = $1`, [b.id])).toHaveLength(0);
      expect(Number((await hub.sql(`SELECT last_seq FROM cluster WHERE id = $1`, [b.id]))[0].last_seq)).toBe(
        0,
      );
    } finally {
      await nc.close();
    }
  });

  it('ingests every report sent while the hub was down, none twice', async () => {
    const a = await cluster('edge-1');
    const nc = await connectAs(await storedCreds(), a.id);
    const js = jetstream(nc, { checkAPI: false });
    const base = Date.now() * 1000 + 10_000_000; // above the running agent's heartbeats
    const seqs = [1, 2, 3, 4, 5].map((n) => base + n);
    const report = (seq: number): StatusReport => ({
      kind: 'status',
      seq,
      sentAt: new Date().toISOString(),
      assignmentRevision: 1,
      bindings: [],
    });
    try {
      await hub.restart(async () => {
        // JetStream keeps them while no hub consumes.
        for (const seq of seqs)
          await js.publish(subjects.status(a.id), messages.statusMessage.encode(report(seq)));
        // A redelivered (replayed) report is ingested once.
        await js.publish(subjects.status(a.id), messages.statusMessage.encode(report(seqs[2]!)));
      });
      await hub.app.get(HubMessaging).ready();
      const rows = await eventually(async () => {
        const found = await hub.sql(
          `SELECT seq FROM cluster_report WHERE cluster_id = $1 AND seq > $2 ORDER BY seq`,
          [a.id, base],
        );
        return found.length >= seqs.length ? found : null;
      }, 'reports after the restart');
      expect(rows.map((row: Json) => Number(row.seq))).toEqual(seqs);
      hub.adminToken = await hub.login('admin', 'admin-password-for-tests');
    } finally {
      await nc.close();
    }
  });

  it('rotation: the old credential is refused by NATS, the agent waits, then re-registers with the new token', async () => {
    const a = await cluster('edge-1');
    const oldCreds = await storedCreds();
    const rotated = await hub.call('POST', '/api/v1/clusters/edge-1/rotate-credentials');
    expect(rotated.status).toBe(201);
    const agent = agents.at(-1)!;
    await eventually(async () => agent.state === 'waiting-for-token', 'agent waiting for a token');
    await expect(connectAs(oldCreds, a.id)).rejects.toThrow(/authoriz|revoked/i);
    await putRegistrationSecret(rotated.body.registrationToken);
    await eventually(async () => agent.state === 'connected', 'agent re-registered');
    expect(await storedCreds()).not.toBe(oldCreds);
    expect((await cluster('edge-1')).state).toBe('Online');
  });

  it('deleting a cluster cuts its agent off at once', async () => {
    const a = await cluster('edge-1');
    const creds = await storedCreds();
    expect((await hub.call('DELETE', '/api/v1/clusters/edge-1')).status).toBe(204);
    const agent = agents.at(-1)!;
    await eventually(async () => agent.state === 'waiting-for-token', 'agent cut off', 5_000);
    await expect(connectAs(creds, a.id)).rejects.toThrow(/authoriz|revoked/i);
  });

  it('runs several agents in one process (a simulated fleet), each as its own cluster', async () => {
    const names = ['sim-1', 'sim-2', 'sim-3'];
    const fleet = await Promise.all(
      names.map(async (name) => {
        const token = (await hub.call('POST', '/api/v1/clusters', { body: { name } })).body.registrationToken;
        await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        const agent = new Agent({
          natsUrl,
          registrationToken: token,
          kube: { kubeconfig: kube.kubeconfig() },
          namespace: name, // each keeps its credential in its own namespace
          heartbeatIntervalMs: 200,
          retryMs: 200,
        });
        agents.push(agent);
        agent.start();
        return agent;
      }),
    );
    for (const name of names) {
      await eventually(async () => (await cluster(name)).state === 'Online', `${name} Online`);
    }
    const ids = await Promise.all(names.map(async (name) => (await cluster(name)).id));
    expect(fleet.map((agent) => agent.clusterId)).toEqual(ids);
    await Promise.all(fleet.map((agent) => agent.stop()));
    expect(fleet.map((agent) => agent.state)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('shows a cluster Offline once heartbeats stop', async () => {
    const created = (await hub.call('POST', '/api/v1/clusters', { body: { name: 'edge-3' } })).body;
    const creds = await registerAgent({ natsUrl, token: created.registrationToken, agentVersion: 'test' });
    const nc = await connectAs(creds.creds, created.id);
    await jetstream(nc, { checkAPI: false }).publish(
      subjects.status(created.id),
      messages.statusMessage.encode(heartbeat(Date.now() * 1000)),
    );
    await nc.close();
    await eventually(async () => (await cluster('edge-3')).state === 'Online', 'edge-3 Online');
    await eventually(async () => (await cluster('edge-3')).state === 'Offline', 'edge-3 Offline', 10_000);
  });
});

function heartbeat(seq: number) {
  return {
    kind: 'heartbeat',
    seq,
    sentAt: new Date().toISOString(),
    agentVersion: 'test',
    protocolVersion: 1,
    assignmentRevision: null,
  } as const;
}
