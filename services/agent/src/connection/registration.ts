import {
  bootstrapInboxPrefix,
  decodeRegistrationToken,
  messages,
  nativeJwtAuthenticator,
  PROTOCOL_VERSION,
  subjects,
  type RegisterRefusalReason,
} from '@flotilla/contracts';
import { fmtCreds } from '@nats-io/jwt';
import { createUser, type KeyPair } from '@nats-io/nkeys';
import { connect } from '@nats-io/transport-node';
import type { StoredCredentials } from './credential-store.js';
import { requestHub } from './hub-request.js';

/** The hub (or NATS itself) refused the token: only a new token helps, retrying does not. */
export class RegistrationRefusedError extends Error {
  override readonly name = 'RegistrationRefusedError';
  constructor(
    readonly reason: RegisterRefusalReason | 'bootstrap-rejected',
    message: string,
  ) {
    super(message);
  }
}

const isAuthError = (error: unknown) =>
  /authorization|authentication|expired|revoked/i.test(String((error as Error)?.message ?? error));

/**
 * Trades a registration token for this agent's NATS credential. The agent makes its own key
 * pair and sends only the public key, so its seed never leaves the agent; the token's
 * bootstrap credential can do nothing but this one request.
 */
export async function registerAgent(opts: {
  natsUrl: string | string[];
  token: string;
  agentVersion: string;
  /**
   * The agent's key pair; reuse it when retrying a registration whose answer was lost — the
   * hub answers the same key again, any other key is refused (the token is used).
   */
  user?: KeyPair;
  timeoutMs?: number;
}): Promise<StoredCredentials> {
  const payload = decodeRegistrationToken(opts.token);
  let nc;
  try {
    nc = await connect({
      servers: opts.natsUrl,
      name: `flotilla-agent-register:${payload.cluster}`,
      authenticator: nativeJwtAuthenticator(payload.jwt, payload.seed),
      inboxPrefix: bootstrapInboxPrefix(payload.cluster),
      maxReconnectAttempts: 0,
    });
  } catch (error) {
    // The bootstrap user expires with the token and is revoked once the token is used.
    if (isAuthError(error)) {
      throw new RegistrationRefusedError(
        'bootstrap-rejected',
        'NATS rejected the registration token (expired or already used): issue a new one',
      );
    }
    throw error;
  }
  const user = opts.user ?? createUser();
  try {
    const response = await requestHub(
      nc,
      subjects.register(payload.cluster),
      {
        contract: messages.registerRequest,
        value: {
          secret: payload.secret,
          publicKey: user.getPublicKey(),
          agentVersion: opts.agentVersion,
          protocolVersion: PROTOCOL_VERSION,
        },
      },
      messages.registerResponse,
      opts.timeoutMs ?? 10_000,
    );
    if (response.status === 'refused') throw new RegistrationRefusedError(response.reason, response.message);
    return { clusterId: response.clusterId, creds: new TextDecoder().decode(fmtCreds(response.jwt, user)) };
  } finally {
    await nc.close().catch(() => undefined);
  }
}
