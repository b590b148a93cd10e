import { BindingStatusSchema, type BindingStatus, type StatusReport } from '@flotilla/contracts';
import { z } from 'zod';
import type { AgentChannel } from '../connection/index.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../reconcile/index.js';
import { readJson, type LocalStore } from '../storage/local-store.js';
import type { StatusSequence } from './sequence.js';

export type StatusLink = Pick<AgentChannel, 'publishStatus'>;

export interface StatusReporterOptions {
  store: LocalStore;
  sequence: StatusSequence;
  logger?: Logger;
  clock?: Pick<Clock, 'now'>;
  /** Bindings whose latest status is kept while offline; the oldest-updated one goes first. */
  maxQueuedBindings?: number;
  /** Keeps each message well under the status stream's message size limit. */
  maxBindingsPerReport?: number;
}

interface Pending {
  revision: number;
  status: BindingStatus;
}

const PENDING_KEY = 'reporting/pending.json';
const pendingSchema = z.array(
  z.object({ revision: z.number().int().nonnegative(), status: BindingStatusSchema }),
);

/**
 * Status out: queues the latest status of each binding, publishes queued statuses as
 * StatusReports, and keeps what could not be published (offline) — in memory and on disk —
 * until a later flush succeeds. Only the latest status per binding matters to the hub, so a
 * long outage costs one entry per binding, not one per reconcile.
 */
export class StatusReporter {
  private link: StatusLink | undefined;
  private flushing: Promise<boolean> | undefined;
  private flushAgain = false;
  private readonly logger: Logger;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly maxQueued: number;
  private readonly perReport: number;

  private constructor(
    private readonly options: StatusReporterOptions,
    private readonly pending: Map<string, Pending>,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.maxQueued = options.maxQueuedBindings ?? 1_000;
    this.perReport = options.maxBindingsPerReport ?? 50;
  }

  /** A reporter holding whatever an earlier run of this agent could not publish. */
  static async open(options: StatusReporterOptions): Promise<StatusReporter> {
    const stored = await readJson(options.store, PENDING_KEY);
    const parsed = stored === undefined ? undefined : pendingSchema.safeParse(stored);
    if (parsed && !parsed.success) options.logger?.warn({}, 'dropping an unreadable queue of status reports');
    const entries = parsed?.success ? parsed.data : [];
    return new StatusReporter(options, new Map(entries.map((entry) => [entry.status.bindingId, entry])));
  }

  /** Bindings whose latest status has not been published yet. */
  get queued(): number {
    return this.pending.size;
  }

  /** Publishes through `link` from now on. */
  attach(link: StatusLink): void {
    this.link = link;
  }

  detach(): void {
    this.link = undefined;
  }

  /**
   * Queues the statuses (replacing older ones of the same bindings) and starts publishing;
   * resolves once they are queued on disk, without waiting for the hub.
   */
  async report(statuses: readonly BindingStatus[], assignmentRevision: number): Promise<void> {
    for (const status of statuses) {
      const checked = BindingStatusSchema.safeParse(status);
      if (!checked.success) {
        // It could never be published; keeping it would block the queue for good.
        this.logger.error(
          { bindingId: status.bindingId, err: checked.error.message },
          'invalid binding status',
        );
        continue;
      }
      this.pending.delete(status.bindingId);
      this.pending.set(status.bindingId, { revision: assignmentRevision, status: checked.data });
    }
    for (const oldest of this.pending.keys()) {
      if (this.pending.size <= this.maxQueued) break;
      this.pending.delete(oldest);
    }
    await this.persist();
    void this.flush();
  }

  /** Resolves when no publish is in progress. */
  async idle(): Promise<void> {
    await this.flushing;
  }

  /** Publishes everything queued; true when the queue is empty afterwards. */
  flush(): Promise<boolean> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    // Cleared in the same step that ends the loop, so no request can slip in between.
    this.flushing = (async () => {
      try {
        let done: boolean;
        do {
          this.flushAgain = false;
          done = await this.publishQueued();
        } while (this.flushAgain);
        return done;
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private async publishQueued(): Promise<boolean> {
    const link = this.link;
    const batch = [...this.pending.values()];
    if (batch.length === 0) return true;
    if (!link) return false;
    let published = 0;
    try {
      for (let start = 0; start < batch.length; start += this.perReport) {
        const chunk = batch.slice(start, start + this.perReport);
        await link.publishStatus(await this.message(chunk));
        for (const entry of chunk) {
          // A newer status that arrived while publishing stays queued.
          if (this.pending.get(entry.status.bindingId) === entry) this.pending.delete(entry.status.bindingId);
        }
        published += chunk.length;
      }
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message, queued: this.pending.size },
        'could not publish status; keeping it for later',
      );
    }
    if (published > 0) await this.persist();
    return this.pending.size === 0;
  }

  private async message(chunk: readonly Pending[]): Promise<StatusReport> {
    return {
      kind: 'status',
      seq: await this.options.sequence.next(),
      sentAt: new Date(this.clock.now()).toISOString(),
      assignmentRevision: Math.max(...chunk.map((entry) => entry.revision)),
      bindings: chunk.map((entry) => entry.status),
    };
  }

  private async persist(): Promise<void> {
    const entries = JSON.stringify([...this.pending.values()]);
    try {
      await this.options.store.write(PENDING_KEY, new TextEncoder().encode(entries));
    } catch (error) {
      // Still queued in memory; only a restart before the link returns would lose it.
      this.logger.error({ err: (error as Error).message }, 'could not persist queued status');
    }
  }
}
