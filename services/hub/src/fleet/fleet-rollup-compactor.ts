import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { FleetRepository } from './fleet.repository.js';

/** Often enough that the rollups read stays a few rows per binding even during a rollout. */
const COMPACT_EVERY_MS = 2_000;

/**
 * Folds the `fleet_rollup` deltas the status triggers append (see the FleetRollup migration).
 * Every replica may run it: a fold is one statement that only takes the deltas it saw, so
 * concurrent folds and writes keep the sums exact; with nothing new it changes nothing.
 */
@Injectable()
export class FleetRollupCompactor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FleetRollupCompactor.name);
  private timer?: NodeJS.Timeout;
  private tick: Promise<void> = Promise.resolve();

  constructor(private readonly fleet: FleetRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.tick = this.tick.then(() =>
        this.fleet.compactRollups().catch((error: unknown) => {
          this.logger.warn(`fleet rollup compaction failed: ${String(error)}`);
        }),
      );
    }, COMPACT_EVERY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.tick;
  }
}
