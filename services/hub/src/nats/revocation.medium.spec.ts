import { PROTOCOL_VERSION } from '@flotilla/contracts';
import { decode, type Account } from '@nats-io/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent, type AgentChannel } from '../../../agent/src/connection/index.js';
import type { UserCredentials } from './claims.js';
import { ClaimsUpdateError, pushAccountClaims } from './claims-update.js';
import { NatsAuthority } from './nats-authority.js';
import { connectWith, startOperatorNats, type OperatorNats } from './testing/operator-nats.js';

const A = 'cluster-a';
const B = 'cluster-b';

const heartbeat = {
  kind: 'heartbeat',
  seq: 1,
  sentAt: '2026-11-27T10:00:00Z',
  agentVersion: '0.1.0',
  protocolVersion: PROTOCOL_VERSION,
  assignmentRevision: null,
} as const;

describe('revoking an agent credential', () => {
  let nats: OperatorNats;
  let credsA: UserCredentials;
  let credsB: UserCredentials;
  let agentA: AgentChannel;
  let agentB: AgentChannel;
  let savedBeforeRevocations: unknown;
  const open: AgentChannel[] = [];

  const connectAs = async (clusterId: string, creds: UserCredentials) => {
    const agent = await connectAgent({
      natsUrl: nats.server.url,
      creds: creds.creds,
      clusterId,
      name: clusterId,
      reconnectTimeWaitMs: 100,
      reconnectJitterMs: 100,
    });
    open.push(agent);
    return agent;
  };

  beforeAll(async () => {
    nats = await startOperatorNats();
    savedBeforeRevocations = nats.authority.toJSON();
    credsA = await nats.authority.mintAgentCredentials(A);
    credsB = await nats.authority.mintAgentCredentials(B);
    agentA = await connectAs(A, credsA);
    agentB = await connectAs(B, credsB);
  });

  afterAll(async () => {
    await Promise.all(open.filter((a) => !a.isClosed()).map((a) => a.drain()));
    await nats?.close();
  });

  it("closes A's connection and refuses its credential, leaving B connected", async () => {
    const started = Date.now();
    await nats.authority.revokeUser(credsA.userPublicKey, nats.claimsUpdater);

    const closedWith = await agentA.closed();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(String(closedWith)).toMatch(/revoked|authoriz/i);
    expect(agentB.isClosed()).toBe(false);
    await expect(agentB.publishStatus(heartbeat)).resolves.toMatchObject({ duplicate: false });

    await expect(connectAs(A, credsA)).rejects.toThrow(/revoked|authoriz/i);
  });

  it('rotates: new credentials for A work while the old ones stay revoked', async () => {
    const rotated = await nats.authority.mintAgentCredentials(A);
    expect(rotated.userPublicKey).not.toBe(credsA.userPublicKey);
    const agent = await connectAs(A, rotated);
    await expect(agent.publishStatus(heartbeat)).resolves.toMatchObject({ duplicate: false });
    await expect(connectAs(A, credsA)).rejects.toThrow(/revoked|authoriz/i);
  });

  it('keeps earlier revocations when revoking again, also across a server restart', async () => {
    await nats.authority.revokeUser(credsB.userPublicKey, nats.claimsUpdater);
    await agentB.closed();

    const claims = decode<Account>(await nats.authority.accountJwt());
    expect(Object.keys(claims.nats.revocations ?? {}).sort()).toEqual(
      [credsA.userPublicKey, credsB.userPublicKey].sort(),
    );

    await nats.server.restart();
    await expect(connectAs(A, credsA)).rejects.toThrow(/revoked|authoriz/i);
    await expect(connectAs(B, credsB)).rejects.toThrow(/revoked|authoriz/i);
  });

  it('survives a save and restore of the key material', async () => {
    const restored = NatsAuthority.fromJSON(JSON.parse(JSON.stringify(nats.authority)));
    expect(restored.revocations).toEqual(nats.authority.revocations);

    const creds = await restored.mintAgentCredentials(B);
    const agent = await connectAs(B, creds);
    await expect(agent.publishStatus(heartbeat)).resolves.toMatchObject({ duplicate: false });

    // The restored authority pushes claims that still carry the revocations made before saving.
    const updater = await connectWith(nats.server.url, await restored.mintClaimsUpdaterCredentials());
    try {
      await restored.pushAccountClaims(updater);
    } finally {
      await updater.close();
    }
    await expect(connectAs(A, credsA)).rejects.toThrow(/revoked|authoriz/i);
  });

  it('keeps revocations pushed by another hub replica when a stale one revokes', async () => {
    const stale = NatsAuthority.fromJSON(savedBeforeRevocations);
    expect(stale.revocations).toEqual({});
    const credsC = await nats.authority.mintAgentCredentials('cluster-c');
    const agentC = await connectAs('cluster-c', credsC);

    await stale.revokeUser(credsC.userPublicKey, nats.claimsUpdater);
    await agentC.closed();

    expect(Object.keys(stale.revocations).sort()).toEqual(
      [credsA.userPublicKey, credsB.userPublicKey, credsC.userPublicKey].sort(),
    );
    await expect(connectAs(A, credsA)).rejects.toThrow(/revoked|authoriz/i);
  });

  it('reports a claims update the server rejects', async () => {
    const failure = pushAccountClaims(nats.claimsUpdater, nats.authority.accountPublicKey, 'not-a-jwt');
    await expect(failure).rejects.toBeInstanceOf(ClaimsUpdateError);
    await expect(failure).rejects.toThrow(/rejected: 500 .*expected 3 chunks/);
  });

  it('is refused by a server of another operator', async () => {
    const stranger = NatsAuthority.generate();
    const foreign = await stranger.mintAgentCredentials(A);
    await expect(connectAs(A, foreign)).rejects.toThrow(/authoriz/i);
  });
});
