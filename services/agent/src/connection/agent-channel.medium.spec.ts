import { ContractViolationError, messages, PROTOCOL_VERSION, type Assignment } from '@flotilla/contracts';
import type { Subscription } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHubRequests, type HubResponderState } from '../../../hub/src/nats/testing/hub-responder.js';
import { startOperatorNats, type OperatorNats } from '../../../hub/src/nats/testing/operator-nats.js';
import type { AgentChannel } from './agent-channel.js';
import { connectAgent } from './connect.js';
import { HubUnavailableError } from './hub-request.js';

const assignment = (clusterId: string, revision: number): Assignment => ({
  clusterId,
  revision,
  tenants: {},
  bindings: [],
});

const hello = {
  agentVersion: '0.1.0',
  protocolVersion: PROTOCOL_VERSION,
  kubernetesVersion: 'v1.32.0',
  nodeCount: 1,
};

async function agentFor(nats: OperatorNats, clusterId: string): Promise<AgentChannel> {
  const { creds } = await nats.authority.mintAgentCredentials(clusterId);
  return connectAgent({
    natsUrl: nats.server.url,
    creds,
    clusterId,
    name: `agent-${clusterId}`,
    requestTimeoutMs: 1_000,
    reconnectTimeWaitMs: 50,
    reconnectJitterMs: 50,
  });
}

it('refuses an unusable cluster id before connecting', async () => {
  await expect(
    connectAgent({ natsUrl: 'nats://127.0.0.1:1', creds: '', clusterId: 'a.>', name: 'x' }),
  ).rejects.toThrow(/invalid cluster id/);
});

describe('with the assignments bucket in place', () => {
  let nats: OperatorNats;
  let agent: AgentChannel;

  beforeAll(async () => {
    nats = await startOperatorNats();
    agent = await agentFor(nats, 'east');
  });

  afterAll(async () => {
    if (agent && !agent.isClosed()) await agent.drain();
    await nats?.close();
  });

  it('reads null before the hub assigned anything', async () => {
    expect(await agent.requestAssignment()).toBeNull();
  });

  it('rejects a document in its key that belongs to another cluster', async () => {
    await nats.assignments!.put('east', messages.assignment.encode(assignment('west', 1)));
    await expect(agent.requestAssignment()).rejects.toThrow(/assignment for west delivered to cluster east/);
  });

  it('rejects a stored value that breaks the contract', async () => {
    await nats.assignments!.put('east', new TextEncoder().encode('{"clusterId":"east"}'));
    await expect(agent.requestAssignment()).rejects.toBeInstanceOf(ContractViolationError);
  });

  it('reads null after the hub deleted its assignment', async () => {
    await nats.assignments!.delete('east');
    expect(await agent.requestAssignment()).toBeNull();
  });

  it('runs many agents side by side in one process', async () => {
    const ids = ['n1', 'n2', 'n3', 'n4'];
    for (const id of ids) await nats.assignments!.put(id, messages.assignment.encode(assignment(id, 1)));
    const agents = await Promise.all(ids.map((id) => agentFor(nats, id)));
    try {
      const read = await Promise.all(agents.map((a) => a.requestAssignment()));
      expect(read.map((a) => a?.clusterId)).toEqual(ids);
    } finally {
      await Promise.all(agents.map((a) => a.drain()));
    }
  });

  // The tests below stop the server; the test's own connection (behind `nats.assignments`)
  // reconnects in its own time afterwards, so nothing after them writes through it.
  it('reconnects by itself after NATS was down for a while', async () => {
    await nats.assignments!.put('east', messages.assignment.encode(assignment('east', 4)));
    const events: string[] = [];
    const reconnected = (async () => {
      for await (const status of agent.status()) {
        events.push(status.type);
        if (status.type === 'reconnect') return;
      }
    })();
    await nats.server.restart({ downtimeMs: 500 });
    await reconnected;
    expect(events).toContain('disconnect');
    expect(await agent.requestAssignment()).toEqual(assignment('east', 4));
  });

  it('waits for NATS when started while it is down', async () => {
    await nats.server.pause();
    let connected = false;
    const pending = agentFor(nats, 'late').then((agent) => {
      connected = true;
      return agent;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connected).toBe(false);
    await nats.server.resume();
    const late = await pending;
    try {
      expect(await late.requestAssignment()).toBeNull();
    } finally {
      await late.drain();
    }
  });
});

describe('without JetStream resources (falls back to asking the hub)', () => {
  let nats: OperatorNats;
  let agent: AgentChannel;
  let hub: { state: HubResponderState; sub: Subscription };

  beforeAll(async () => {
    nats = await startOperatorNats({ jetStreamResources: false });
    hub = serveHubRequests(nats.hub);
    agent = await agentFor(nats, 'west');
  });

  afterAll(async () => {
    if (agent && !agent.isClosed()) await agent.drain();
    await nats?.close();
  });

  it("gets the assignment from the hub's request-reply service", async () => {
    expect(await agent.requestAssignment()).toBeNull();
    hub.state.assignments.set('west', assignment('west', 9));
    expect(await agent.requestAssignment()).toEqual(assignment('west', 9));
  });

  it('reports both failures when the hub is gone too', async () => {
    hub.sub.unsubscribe();
    await nats.hub.flush();
    const failure = await agent.requestAssignment().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).message).toBe('could not read the assignment of west');
    expect((failure as AggregateError).errors[1]).toBeInstanceOf(HubUnavailableError);
    await expect(agent.hello(hello)).rejects.toThrow(/no hub is serving flotilla\.hub\.west\.hello/);
  });
});
