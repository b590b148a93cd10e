import type { AgentChannel } from '../connection/index.js';
import type { AssignmentCache, StoredBundle } from './assignment-cache.js';

/** The hub could not deliver a bundle (offline, unknown digest, not ours, or bad bytes). */
export class BundleUnavailableError extends Error {
  override readonly name = 'BundleUnavailableError';
}

export type BundleLink = Pick<AgentChannel, 'fetchBundle'>;

/**
 * Bundles by digest: from the local cache, else fetched from the hub once (concurrent asks
 * for one digest share a fetch) and cached. Bundles are content-addressed, so a cached one
 * never goes stale.
 */
export class BundleSource {
  private link: BundleLink | undefined;
  private readonly inFlight = new Map<string, Promise<StoredBundle>>();

  constructor(private readonly cache: AssignmentCache) {}

  /** Where missing bundles are fetched from; until called, only cached bundles are available. */
  attach(link: BundleLink): void {
    this.link = link;
  }

  async get(digest: string): Promise<StoredBundle> {
    const cached = await this.cache.bundle(digest);
    if (cached) return cached;
    let pending = this.inFlight.get(digest);
    if (!pending) {
      pending = this.fetch(digest).finally(() => this.inFlight.delete(digest));
      this.inFlight.set(digest, pending);
    }
    return pending;
  }

  private async fetch(digest: string): Promise<StoredBundle> {
    if (!this.link)
      throw new BundleUnavailableError(`bundle ${digest} is not cached and the hub is not connected`);
    let response;
    try {
      response = await this.link.fetchBundle(digest);
    } catch (error) {
      throw new BundleUnavailableError(`could not fetch bundle ${digest}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (response.status !== 'ok')
      throw new BundleUnavailableError(
        `hub refused bundle ${digest} (${response.status}): ${response.message}`,
      );
    const bundle = { bytes: Buffer.from(response.bundle, 'base64'), signature: response.signature };
    try {
      await this.cache.putBundle(digest, bundle);
    } catch (error) {
      throw new BundleUnavailableError((error as Error).message, { cause: error });
    }
    return bundle;
  }
}
