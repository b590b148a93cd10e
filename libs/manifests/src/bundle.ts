import { z } from 'zod';
import { canonicalJson } from './canonicalise.js';
import { digestOf } from './digest.js';
import { BundleError } from './errors.js';
import { objectKey } from './identify.js';
import { applyClassifier } from './sort.js';
import type { KubeObject } from './types.js';

export const BUNDLE_FORMAT_VERSION = 1;

const stringMap = z.record(z.string(), z.string());

export const kubeObjectSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
    labels: stringMap.nullish(),
    annotations: stringMap.nullish(),
  }),
});

export const bundleSchema = z.object({
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  bindingId: z.string().min(1),
  tenant: z.string().min(1),
  /** The Git commit the objects were rendered from. */
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a 40 or 64 character hex commit id'),
  objects: z.array(kubeObjectSchema),
});

export type Bundle = Omit<z.infer<typeof bundleSchema>, 'objects'> & { objects: KubeObject[] };

export interface CreatedBundle {
  bundle: Bundle;
  /** Canonical JSON, the exact bytes that are stored, digested, signed and shipped. */
  bytes: Uint8Array;
  /** `sha256:<hex>` of `bytes`. */
  digest: string;
}

/**
 * Builds the immutable bundle for one binding at one commit. Objects are put in apply
 * order (ties broken by object key) and serialised canonically, so the digest depends only
 * on the content: not on key order, file layout or the order of documents.
 */
export function createBundle(input: {
  bindingId: string;
  tenant: string;
  commit: string;
  objects: readonly KubeObject[];
}): CreatedBundle {
  assertNoDuplicates(input.objects);
  const classOf = applyClassifier(input.objects);
  const objects = input.objects
    .map((object) => ({ object, rank: classOf(object), key: objectKey(object) }))
    .sort((a, b) => a.rank - b.rank || compare(a.key, b.key))
    .map(({ object }) => object);
  const bundle = parseBundle({
    formatVersion: BUNDLE_FORMAT_VERSION,
    bindingId: input.bindingId,
    tenant: input.tenant,
    commit: input.commit,
    objects,
  });
  const bytes = Buffer.from(canonicalJson(bundle), 'utf8');
  return { bundle, bytes, digest: digestOf(bytes) };
}

/** Parses and validates bundle bytes; throws BundleError naming the bad field. */
export function readBundle(bytes: Uint8Array): Bundle {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new BundleError(`bundle is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseBundle(value);
}

function parseBundle(value: unknown): Bundle {
  const result = bundleSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new BundleError(`invalid bundle at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data as Bundle;
}

// With two objects under one key the order between them, and so the digest, would be arbitrary.
function assertNoDuplicates(objects: readonly KubeObject[]): void {
  const keys = new Set<string>();
  for (const object of objects) {
    const key = objectKey(object);
    if (keys.has(key)) throw new BundleError(`duplicate object ${key} in bundle`);
    keys.add(key);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
