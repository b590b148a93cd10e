import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task.js';
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
  private readonly task: PeriodicTask;

  constructor(fleet: FleetRepository) {
    this.task = new PeriodicTask(
      'fleet rollup compaction',
      COMPACT_EVERY_MS,
      () => fleet.compactRollups(),
      new Logger(FleetRollupCompactor.name),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
