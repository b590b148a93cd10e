import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import { GitRepositoriesRepository } from './git-repositories.repository.js';
import { RefreshService } from './refresh.service.js';

const POLLER_LOCK = 0x666c7470; // "fltp"

/**
 * Refreshes repositories whose poll interval elapsed. One replica polls at a time: the one
 * holding a session advisory lock on its own connection; if it dies, the lock goes with its
 * connection and another replica takes over on its next tick.
 */
@Injectable()
export class RepositoryPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RepositoryPoller.name);
  private timer?: NodeJS.Timeout;
  private runner?: QueryRunner;
  private holdsLock = false;
  private tick: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly repositories: GitRepositoriesRepository,
    private readonly refresher: RefreshService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.FLOTILLA_GIT_POLLING) return;
    this.timer = setInterval(() => {
      this.tick = this.tick.then(() => this.poll());
    }, this.config.FLOTILLA_GIT_POLL_TICK_SECONDS * 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.tick;
    if (this.runner) {
      await this.runner.query('SELECT pg_advisory_unlock($1)', [POLLER_LOCK]).catch(() => undefined);
      await this.runner.release();
    }
  }

  /** One round: take (or keep) the poller role, then refresh what is due. */
  async poll(): Promise<void> {
    try {
      if (!this.holdsLock) {
        this.runner ??= this.db.dataSource.createQueryRunner();
        const [row] = (await this.runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
          POLLER_LOCK,
        ])) as [{ locked: boolean }];
        this.holdsLock = row.locked;
        if (!this.holdsLock) return;
      }
      for (const repository of await this.repositories.due(new Date())) {
        await this.refresher.trigger(repository.id);
      }
    } catch (error) {
      this.logger.error(`repository polling failed: ${(error as Error).message}`);
    }
  }
}
