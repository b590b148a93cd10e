import { assertClusterId, inboxPrefix, nativeCredsAuthenticator } from '@flotilla/contracts';
import { connect } from '@nats-io/transport-node';
import { AgentChannel } from './agent-channel.js';

export interface ConnectAgentOptions {
  natsUrl: string | string[];
  /** The `.creds` text minted by the hub for this cluster. */
  creds: string | Uint8Array;
  clusterId: string;
  /** Connection name shown in NATS monitoring. */
  name: string;
  requestTimeoutMs?: number;
  /** Base pause between reconnect attempts; each attempt adds up to `reconnectJitterMs`. */
  reconnectTimeWaitMs?: number;
  reconnectJitterMs?: number;
  onProtocolError?: (error: Error) => void;
}

/**
 * Connects one agent, waiting for NATS if it is not reachable yet, and reconnects forever;
 * the jitter spreads a fleet's reconnects after a NATS restart. A rejected credential
 * (revoked, or a NATS server of another operator) fails the connect or ends the connection.
 */
export async function connectAgent(opts: ConnectAgentOptions): Promise<AgentChannel> {
  const clusterId = assertClusterId(opts.clusterId);
  const nc = await connect({
    servers: opts.natsUrl,
    name: opts.name,
    authenticator: nativeCredsAuthenticator(opts.creds),
    // Replies must land where our permissions let us subscribe.
    inboxPrefix: inboxPrefix(clusterId),
    maxReconnectAttempts: -1,
    // An agent may start before NATS is reachable; it waits instead of failing.
    waitOnFirstConnect: true,
    reconnectTimeWait: opts.reconnectTimeWaitMs ?? 2_000,
    reconnectJitter: opts.reconnectJitterMs ?? 3_000,
  });
  return new AgentChannel(clusterId, nc, {
    requestTimeoutMs: opts.requestTimeoutMs ?? 5_000,
    onProtocolError: opts.onProtocolError,
  });
}
