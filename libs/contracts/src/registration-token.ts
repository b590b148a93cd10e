import { z } from 'zod';
import { ClusterIdSchema } from './cluster-id.js';

export const REGISTRATION_TOKEN_PREFIX = 'flreg_';

/**
 * What a registration token carries, so an agent needs nothing else but the NATS URL: which
 * cluster it is, the one-time secret, and a short-lived bootstrap NATS credential that may
 * only send that cluster's registration request.
 */
export const RegistrationTokenPayloadSchema = z.strictObject({
  cluster: ClusterIdSchema,
  secret: z.string().min(16).max(256),
  /** Bootstrap user JWT; expires with the token. */
  jwt: z.string().min(1),
  /** Bootstrap user nkey seed. */
  seed: z.string().regex(/^SU[A-Z2-7]{56}$/, 'must be an nkey user seed'),
});
export type RegistrationTokenPayload = z.infer<typeof RegistrationTokenPayloadSchema>;

/** `flreg_` + base64url(JSON): one opaque value to paste. */
export function encodeRegistrationToken(payload: RegistrationTokenPayload): string {
  const json = JSON.stringify(RegistrationTokenPayloadSchema.parse(payload));
  return REGISTRATION_TOKEN_PREFIX + Buffer.from(json).toString('base64url');
}

/** Throws a TypeError that never echoes the token when the value is not a registration token. */
export function decodeRegistrationToken(token: string): RegistrationTokenPayload {
  const trimmed = token.trim();
  if (!trimmed.startsWith(REGISTRATION_TOKEN_PREFIX)) {
    throw new TypeError(`not a Flotilla registration token (expected ${REGISTRATION_TOKEN_PREFIX}…)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(
      Buffer.from(trimmed.slice(REGISTRATION_TOKEN_PREFIX.length), 'base64url').toString('utf8'),
    );
  } catch {
    throw new TypeError('registration token is damaged (not base64url JSON): copy it again');
  }
  const parsed = RegistrationTokenPayloadSchema.safeParse(json);
  if (!parsed.success) throw new TypeError('registration token is damaged (fields missing): copy it again');
  return parsed.data;
}
