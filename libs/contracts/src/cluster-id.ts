import { z } from 'zod';

// A DNS label: it is used as a NATS subject token, a KV key and a Kubernetes label value,
// so it may never contain `.`, `*`, `>` or whitespace.
const CLUSTER_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const ClusterIdSchema = z
  .string()
  .regex(
    CLUSTER_ID,
    'cluster id must be a DNS label: 1-63 lowercase letters, digits or "-", not starting or ending with "-"',
  );

export type ClusterId = z.infer<typeof ClusterIdSchema>;

export function isClusterId(value: unknown): value is ClusterId {
  return ClusterIdSchema.safeParse(value).success;
}

/** Returns the id unchanged, or throws a TypeError naming the bad value. */
export function assertClusterId(value: unknown): ClusterId {
  if (!isClusterId(value)) {
    throw new TypeError(
      `invalid cluster id ${JSON.stringify(value)}: expected a DNS label (1-63 chars of a-z, 0-9, "-")`,
    );
  }
  return value;
}
