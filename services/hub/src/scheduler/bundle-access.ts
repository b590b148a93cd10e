import { Injectable } from '@nestjs/common';
import type { BundleFetchRequest, BundleFetchResponse } from '@flotilla/contracts';
import { RevisionsRepository } from '../revisions/revisions.repository.js';
import type { AssignmentStateEntity } from './assignment-state.entity.js';
import { AssignmentStateRepository } from './assignment-state.repository.js';

type ServedBundle = Extract<BundleFetchResponse, { status: 'ok' }>;
type StateWaiter = {
  resolve: (state: AssignmentStateEntity | undefined) => void;
  reject: (error: unknown) => void;
};

/** Encoded bundles kept for the next cluster that fetches them (base64 characters). */
const CACHE_BUDGET_CHARS = 64 * 2 ** 20;

/**
 * Answers an agent's bundle fetch (`flotilla.hub.<cluster>.bundle`): only bundles named by
 * that cluster's published assignment are served. The messaging module hooks this into
 * `serve('bundle', …)`; the cluster id comes from the subject, never from the payload.
 *
 * A rollout has every targeted cluster fetch the same few bundles: bundles are immutable and
 * content-addressed, so the encoded answers of recently served ones are kept (least recently
 * used out first). The entitlement is read from the database after every fetch arrived (an
 * assignment may have dropped the bundle a moment ago), but in one query for all fetches that
 * arrived while the previous read was running: under a rollout's load, one read per batch
 * instead of one per bundle.
 */
@Injectable()
export class BundleAccess {
  private readonly served = new Map<string, ServedBundle>();
  private servedChars = 0;
  /** Database reads in flight: clusters asking for the same bundle at once share one. */
  private readonly loading = new Map<string, Promise<ServedBundle | undefined>>();
  /** Fetches waiting for the next entitlement read, by cluster. */
  private waiting = new Map<string, StateWaiter[]>();
  private reading = false;

  constructor(
    private readonly revisions: RevisionsRepository,
    private readonly states: AssignmentStateRepository,
  ) {}

  async fetch(clusterId: string, request: BundleFetchRequest): Promise<BundleFetchResponse> {
    const [state, bundle] = await Promise.all([this.assignment(clusterId), this.bundle(request.digest)]);
    if (!bundle) return { status: 'not-found', message: `no bundle ${request.digest}` };
    if (state?.bundleDigests.includes(request.digest)) return bundle;
    // The scheduler writes an assignment to NATS before its transaction commits, so an agent
    // can ask for a new bundle before the database says it may: wait for that publish to end.
    const settled = await this.states.findSettled(clusterId);
    if (!settled?.bundleDigests.includes(request.digest))
      return { status: 'forbidden', message: `bundle ${request.digest} is not assigned to this cluster` };
    return bundle;
  }

  /** The cluster's published assignment state, read after this call (batched with others). */
  private assignment(clusterId: string): Promise<AssignmentStateEntity | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(clusterId) ?? [];
      waiters.push({ resolve, reject });
      this.waiting.set(clusterId, waiters);
      if (!this.reading) void this.readAssignments();
    });
  }

  private async readAssignments(): Promise<void> {
    this.reading = true;
    while (this.waiting.size) {
      const batch = this.waiting;
      this.waiting = new Map();
      try {
        const states = await this.states.findMany([...batch.keys()]);
        for (const [clusterId, waiters] of batch)
          for (const { resolve } of waiters) resolve(states.get(clusterId));
      } catch (error) {
        for (const waiters of batch.values()) for (const { reject } of waiters) reject(error);
      }
    }
    this.reading = false;
  }

  private async bundle(digest: string): Promise<ServedBundle | undefined> {
    const cached = this.served.get(digest);
    if (cached) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.served.delete(digest);
      this.served.set(digest, cached);
      return cached;
    }
    let load = this.loading.get(digest);
    if (!load) {
      load = this.load(digest).finally(() => this.loading.delete(digest));
      this.loading.set(digest, load);
    }
    return load;
  }

  private async load(digest: string): Promise<ServedBundle | undefined> {
    const row = await this.revisions.findBundle(digest);
    if (!row) return undefined;
    const answer: ServedBundle = {
      status: 'ok',
      digest: row.digest,
      bundle: Buffer.from(row.bytes).toString('base64'),
      signature: row.signature,
    };
    this.remember(answer);
    return answer;
  }

  private remember(answer: ServedBundle): void {
    if (answer.bundle.length > CACHE_BUDGET_CHARS) return;
    this.served.set(answer.digest, answer);
    this.servedChars += answer.bundle.length;
    for (const [digest, old] of this.served) {
      if (this.servedChars <= CACHE_BUDGET_CHARS) break;
      this.served.delete(digest);
      this.servedChars -= old.bundle.length;
    }
  }
}
