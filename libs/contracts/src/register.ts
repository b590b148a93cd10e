import { z } from 'zod';
import { ClusterIdSchema } from './cluster-id.js';
import { NonEmptyString, ProtocolVersionSchema } from './common.js';

/** An nkey user public key: `U` + 55 base32 characters. */
export const UserPublicKeySchema = z
  .string()
  .regex(/^U[A-Z2-7]{55}$/, 'must be an nkey user public key (U…, 56 characters)');

/**
 * Sent once on `flotilla.register.<id>` with the bootstrap credential from the registration
 * token. The agent made its key pair itself: only the public half travels, so the hub never
 * sees the seed its JWT will be used with.
 */
export const RegisterRequestSchema = z.strictObject({
  /** The one-time secret from the registration token. */
  secret: z.string().min(16).max(256),
  publicKey: UserPublicKeySchema,
  agentVersion: NonEmptyString,
  protocolVersion: ProtocolVersionSchema,
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const RegisterRefusalReasonSchema = z.enum([
  'invalid-token',
  'expired',
  'already-used',
  'invalid-request',
]);
export type RegisterRefusalReason = z.infer<typeof RegisterRefusalReasonSchema>;

export const RegisterResponseSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('registered'),
    clusterId: ClusterIdSchema,
    /** User JWT for `publicKey`, confined to this cluster's subjects. */
    jwt: NonEmptyString,
  }),
  z.strictObject({
    status: z.literal('refused'),
    reason: RegisterRefusalReasonSchema,
    message: NonEmptyString,
  }),
]);
export type RegisterResponse = z.infer<typeof RegisterResponseSchema>;
