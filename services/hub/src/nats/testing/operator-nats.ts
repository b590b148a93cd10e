import { nativeCredsAuthenticator } from '@flotilla/contracts';
import { startNatsServer, type NatsTestServer } from '@flotilla/testing';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureJetStreamResources } from '../jetstream-resources.js';
import { NatsAuthority, type ServiceCredentials } from '../nats-authority.js';

export interface OperatorNats {
  authority: NatsAuthority;
  server: NatsTestServer;
  /** The hub's own connection (hub credentials). */
  hub: NatsConnection;
  /** System-account connection allowed only to push account claims. */
  claimsUpdater: NatsConnection;
  /** The assignments bucket, opened by the hub; null when resources were not created. */
  assignments: KV | null;
  close(): Promise<void>;
}

export function connectWith(url: string, credentials: ServiceCredentials): Promise<NatsConnection> {
  return connect({
    servers: url,
    authenticator: nativeCredsAuthenticator(credentials.creds),
    inboxPrefix: credentials.inboxPrefix,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
  });
}

/**
 * Test fixture: a real nats-server in operator mode run by a fresh NatsAuthority, with the
 * hub connected and (by default) its JetStream resources in place.
 */
export async function startOperatorNats(opts: { jetStreamResources?: boolean } = {}): Promise<OperatorNats> {
  const authority = NatsAuthority.generate();
  const server = await startNatsServer({ operator: await authority.serverJwts() });
  const connections: NatsConnection[] = [];
  try {
    const hub = await connectWith(server.url, await authority.mintHubCredentials());
    connections.push(hub);
    const claimsUpdater = await connectWith(server.url, await authority.mintClaimsUpdaterCredentials());
    connections.push(claimsUpdater);
    const assignments =
      opts.jetStreamResources === false ? null : (await ensureJetStreamResources(hub)).assignments;
    return {
      authority,
      server,
      hub,
      claimsUpdater,
      assignments,
      async close() {
        await Promise.all(connections.map((nc) => nc.close()));
        await server.stop();
      },
    };
  } catch (error) {
    await Promise.all(connections.map((nc) => nc.close()));
    await server.stop();
    throw error;
  }
}
