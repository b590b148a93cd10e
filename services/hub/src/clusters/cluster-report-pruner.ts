import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { ClustersRepository } from './clusters.repository.js';

const PRUNE_EVERY_MS = 60_000;

/**
 * Deletes raw status reports older than FLOTILLA_CLUSTER_REPORT_RETENTION_SECONDS. They are a
 * debugging window only — what a cluster runs lives in deployment_status and sync_history —
 * and a fleet of 5,000 agents reporting every 10 s writes them at megabytes per second.
 * Every replica may prune: deleting the same old rows twice is harmless.
 */
@Injectable()
export class ClusterReportPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(clusters: ClustersRepository, @Inject(HUB_CONFIG) config: HubConfig) {
    const retention = config.FLOTILLA_CLUSTER_REPORT_RETENTION_SECONDS;
    this.task = new PeriodicTask(
      'pruning old cluster reports',
      PRUNE_EVERY_MS,
      () => clusters.pruneReports(new Date(Date.now() - retention * 1000)),
      new Logger(ClusterReportPruner.name),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
