import { z } from 'zod';
import { NonEmptyString, ProtocolVersionSchema } from './common.js';

export const HelloRequestSchema = z.strictObject({
  agentVersion: NonEmptyString,
  protocolVersion: ProtocolVersionSchema,
  kubernetesVersion: NonEmptyString,
  nodeCount: z.number().int().nonnegative(),
});
export type HelloRequest = z.infer<typeof HelloRequestSchema>;

export const HelloRefusalReasonSchema = z.enum([
  'protocol-too-old',
  'protocol-too-new',
  'unknown-cluster',
  'invalid-request',
]);

export const HelloResponseSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('accepted'), protocolVersion: ProtocolVersionSchema }),
  z.strictObject({ status: z.literal('refused'), reason: HelloRefusalReasonSchema, message: NonEmptyString }),
]);
export type HelloResponse = z.infer<typeof HelloResponseSchema>;
