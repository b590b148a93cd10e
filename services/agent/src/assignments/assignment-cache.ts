import { DigestSchema, messages, type Assignment } from '@flotilla/contracts';
import { digestOf } from '@flotilla/manifests';
import { z } from 'zod';
import { readJson, type LocalStore } from '../storage/local-store.js';

/** A bundle as the hub sent it: the bytes and the hub's signature (checked by the reconciler). */
export interface StoredBundle {
  bytes: Uint8Array;
  signature: string;
}

const ASSIGNMENT_KEY = 'assignment.json';
const BUNDLES = 'bundles';

const storedBundleSchema = z.strictObject({ signature: z.string().min(1), bundle: z.base64() });

const bundleKey = (digest: string) => `${BUNDLES}/${DigestSchema.parse(digest).replace(':', '-')}`;
const digestOfKey = (name: string) => name.replace('-', ':');

/**
 * The last assignment and the bundles it needs, kept locally so the agent enforces its
 * desired state with the hub or NATS down and straight after a restart.
 */
export class AssignmentCache {
  constructor(private readonly store: LocalStore) {}

  /** The cached assignment, or null when none was cached (or the cached copy is unreadable). */
  async assignment(): Promise<Assignment | null> {
    const raw = await this.store.read(ASSIGNMENT_KEY);
    if (!raw) return null;
    try {
      return messages.assignment.decode(raw);
    } catch {
      // A damaged copy is no worse than none: the hub's copy replaces it on the next read.
      return null;
    }
  }

  /** Stores `assignment` unless the cache already holds this or a newer revision. */
  async offerAssignment(assignment: Assignment): Promise<boolean> {
    const cached = await this.assignment();
    if (cached && cached.revision >= assignment.revision) return false;
    await this.store.write(ASSIGNMENT_KEY, messages.assignment.encode(assignment));
    return true;
  }

  /** The bundle with this digest, or undefined when not cached or its bytes no longer hash to it. */
  async bundle(digest: string): Promise<StoredBundle | undefined> {
    const key = bundleKey(digest);
    const parsed = storedBundleSchema.safeParse(await readJson(this.store, key));
    const bytes = parsed.success ? Buffer.from(parsed.data.bundle, 'base64') : undefined;
    if (!parsed.success || !bytes || digestOf(bytes) !== digest) {
      // Missing, or damaged on disk: clear the key so the bundle is fetched again.
      await this.store.remove(key);
      return undefined;
    }
    return { bytes, signature: parsed.data.signature };
  }

  /** Stores a bundle under its digest; refuses bytes that do not hash to it. */
  async putBundle(digest: string, bundle: StoredBundle): Promise<void> {
    if (digestOf(bundle.bytes) !== digest) throw new Error(`bundle bytes do not match digest ${digest}`);
    const stored = { signature: bundle.signature, bundle: Buffer.from(bundle.bytes).toString('base64') };
    await this.store.write(bundleKey(digest), new TextEncoder().encode(JSON.stringify(stored)));
  }

  /** Removes every cached bundle whose digest is not in `keep`; returns the digests removed. */
  async collectGarbage(keep: ReadonlySet<string>): Promise<string[]> {
    const unused = (await this.store.list(BUNDLES))
      .map(digestOfKey)
      .filter((digest) => DigestSchema.safeParse(digest).success && !keep.has(digest));
    for (const digest of unused) await this.store.remove(bundleKey(digest));
    return unused;
  }
}
