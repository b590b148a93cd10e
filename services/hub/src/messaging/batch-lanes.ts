/** FNV-1a: spreads keys evenly over the lanes, and the same key always to the same lane. */
function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

export interface BatchLanesOptions<T> {
  lanes: number;
  /** Most items handed to `handle` at once. */
  maxBatch: number;
  /** Most items queued or being handled; `push` waits for room beyond it. */
  capacity: number;
  handle: (batch: T[]) => Promise<void>;
  /** Hears of a `handle` that rejected; the lane goes on with its next batch. */
  failed: (error: unknown) => void;
}

/**
 * Items handled concurrently across lanes and in order within one: an item goes to its key's
 * lane, a lane hands `handle` what queued up while its previous batch ran (one item when the
 * load is light, up to `maxBatch` under load), so one key's items are handled in arrival
 * order, each batch after the previous one finished.
 */
export class BatchLanes<T> {
  readonly #queues: T[][];
  readonly #draining: (Promise<void> | null)[];
  readonly #roomFreed: (() => void)[] = [];
  #held = 0;

  constructor(private readonly options: BatchLanesOptions<T>) {
    this.#queues = Array.from({ length: options.lanes }, () => []);
    this.#draining = this.#queues.map(() => null);
  }

  /** Resolves once `item` is queued (not handled). */
  async push(key: string, item: T): Promise<void> {
    while (this.#held >= this.options.capacity) {
      await new Promise<void>((freed) => this.#roomFreed.push(freed));
    }
    this.#held++;
    const lane = laneOf(key, this.options.lanes);
    this.#queues[lane]!.push(item);
    this.#draining[lane] ??= this.drain(lane);
  }

  /** Resolves once every queued item was handled. */
  async idle(): Promise<void> {
    for (let busy = this.#draining.filter(Boolean); busy.length; busy = this.#draining.filter(Boolean)) {
      await Promise.all(busy);
    }
  }

  private async drain(lane: number): Promise<void> {
    const queue = this.#queues[lane]!;
    while (queue.length) {
      const batch = queue.splice(0, this.options.maxBatch);
      try {
        await this.options.handle(batch);
      } catch (error) {
        this.options.failed(error);
      }
      this.#held -= batch.length;
      for (let i = 0; i < batch.length; i++) this.#roomFreed.shift()?.();
    }
    this.#draining[lane] = null;
  }
}
