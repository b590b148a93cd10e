import { z } from 'zod';
import { DigestSchema, NonEmptyString } from './common.js';

export const BundleFetchRequestSchema = z.strictObject({ digest: DigestSchema });
export type BundleFetchRequest = z.infer<typeof BundleFetchRequestSchema>;

export const BundleFetchResponseSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('ok'),
    digest: DigestSchema,
    /** The bundle's bytes, base64. The agent re-hashes them against `digest`. */
    bundle: z.base64(),
    /** The hub's signature over the bundle bytes, base64. */
    signature: z.base64().min(1),
  }),
  // `forbidden` = the digest exists but no binding assigned to this cluster uses it.
  z.strictObject({ status: z.enum(['not-found', 'forbidden']), message: NonEmptyString }),
]);
export type BundleFetchResponse = z.infer<typeof BundleFetchResponseSchema>;
