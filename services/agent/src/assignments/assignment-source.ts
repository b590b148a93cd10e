import type { Assignment } from '@flotilla/contracts';
import type { AgentChannel } from '../connection/index.js';
import { silentLogger, type Logger } from '../reconcile/index.js';
import type { AssignmentCache } from './assignment-cache.js';

export type AssignmentLink = Pick<AgentChannel, 'requestAssignment' | 'onNotify'>;

export interface AssignmentSourceOptions {
  cache: AssignmentCache;
  /** Called with every assignment that becomes current (the cached one at start, then newer ones). */
  onAssignment: (assignment: Assignment) => void;
  logger?: Logger;
}

/**
 * Desired state in: the current assignment, read from the hub when connected and from the
 * local cache otherwise. Only a newer revision replaces the current one, so a stale read
 * (a lagging replica, a replayed notice) can never roll the cluster back.
 */
export class AssignmentSource {
  private currentAssignment: Assignment | null = null;
  private link: AssignmentLink | undefined;
  private stopNotify: (() => void) | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private hubConfirmed = false;
  private readonly logger: Logger;

  constructor(private readonly options: AssignmentSourceOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  get current(): Assignment | null {
    return this.currentAssignment;
  }

  /**
   * The hub has confirmed the current assignment in this run. A cached copy alone may be older
   * than what another run of this agent already applied, so it is not a complete list.
   */
  get confirmedByHub(): boolean {
    return this.hubConfirmed;
  }

  /** Loads the cached assignment (if any) so the agent enforces it before the hub answers. */
  async loadCached(): Promise<Assignment | null> {
    const cached = await this.options.cache.assignment();
    if (cached) this.accept(cached);
    return cached;
  }

  /**
   * Reads from `link` from now on: listens for change notices, then reads the assignment
   * (listening first means no change can slip between the read and the first notice).
   */
  async attach(link: AssignmentLink): Promise<void> {
    this.detach();
    this.link = link;
    const stop = await link.onNotify(() => void this.refresh());
    if (this.link !== link) stop();
    else this.stopNotify = stop;
    await this.refresh();
  }

  detach(): void {
    this.stopNotify?.();
    this.stopNotify = undefined;
    this.link = undefined;
  }

  /**
   * Reads the assignment from the hub. Failures (hub or NATS down) are logged and the current
   * assignment stays in force. Calls made while a read runs are folded into one more read.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    // Cleared in the same step that ends the loop, so no request can slip in between.
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.readOnce();
        } while (this.refreshAgain);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async readOnce(): Promise<void> {
    const link = this.link;
    if (!link) return;
    let assignment: Assignment | null;
    try {
      assignment = await link.requestAssignment();
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message, revision: this.currentAssignment?.revision ?? null },
        'could not read the assignment; keeping the current one',
      );
      return;
    }
    if (!assignment) {
      // Nothing assigned (yet): keep enforcing what we have rather than tearing it down.
      this.logger.info(
        { revision: this.currentAssignment?.revision ?? null },
        'hub has no assignment for us',
      );
      return;
    }
    const current = this.currentAssignment;
    if (current && assignment.revision <= current.revision) {
      this.hubConfirmed ||= assignment.revision === current.revision;
      return;
    }
    this.hubConfirmed = true;
    try {
      await this.options.cache.offerAssignment(assignment);
    } catch (error) {
      // Still enforce it; only a restart while offline would fall back to the older copy.
      this.logger.error({ err: (error as Error).message }, 'could not cache the assignment');
    }
    this.accept(assignment);
  }

  private accept(assignment: Assignment): void {
    this.currentAssignment = assignment;
    this.options.onAssignment(assignment);
  }
}
