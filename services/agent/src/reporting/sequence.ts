import type { LocalStore } from '../storage/local-store.js';
import type { Clock } from '../reconcile/index.js';

const SEQ_KEY = 'reporting/seq';

/**
 * The agent's message sequence, shared by status reports and heartbeats: strictly increasing
 * for the agent's whole life, across restarts. Time-based (µs since the epoch) so a lost
 * state directory still starts above what the hub has seen, with the last issued value kept
 * on disk so a clock stepping back cannot repeat one.
 */
export class StatusSequence {
  private persisted: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: LocalStore,
    private readonly clock: Pick<Clock, 'now'>,
    private last: number,
  ) {}

  static async open(store: LocalStore, clock: Pick<Clock, 'now'>): Promise<StatusSequence> {
    const raw = await store.read(SEQ_KEY);
    const last = raw ? Number(new TextDecoder().decode(raw)) : 0;
    return new StatusSequence(store, clock, Number.isSafeInteger(last) && last > 0 ? last : 0);
  }

  /** The next number, resolved once it is on disk (so it is never issued twice). */
  async next(): Promise<number> {
    const seq = Math.max(Math.floor(this.clock.now()) * 1000, this.last + 1);
    this.last = seq;
    const write = this.persisted.then(() => this.store.write(SEQ_KEY, new TextEncoder().encode(String(seq))));
    // One failed write must not poison the ones after it.
    this.persisted = write.catch(() => undefined);
    await write;
    return seq;
  }
}
