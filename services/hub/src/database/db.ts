import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';

type AfterCommit = () => unknown;

/** The open transaction of the current async context and what waits for its commit. */
interface OpenTransaction {
  em: EntityManager;
  afterCommit: AfterCommit[];
}

/**
 * The only door to TypeORM for repositories. A service opens a transaction with
 * `db.transaction(...)`; every repository call made inside it (audit appends included)
 * joins that transaction without having an EntityManager threaded through its arguments.
 */
export class Db {
  private readonly logger = new Logger('Db');
  private readonly current = new AsyncLocalStorage<OpenTransaction>();

  constructor(readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.current.getStore()?.em ?? this.dataSource.manager;
  }

  repository<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.manager.getRepository(entity);
  }

  /**
   * Runs `work` in a transaction; inside one already, joins it (the outermost one commits).
   * Resolves after the commit and after the `afterCommit` work it queued.
   */
  async transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const open = this.current.getStore();
    if (open) return work(open.em);
    const afterCommit: AfterCommit[] = [];
    const result = await this.dataSource.transaction((em) =>
      this.current.run({ em, afterCommit }, () => work(em)),
    );
    for (const fn of afterCommit) await this.follow(fn);
    return result;
  }

  /**
   * For what others may observe only once the data is visible (events, notifications): inside
   * a transaction, `fn` runs after the outermost one commits, in queuing order, and never if it
   * rolls back; outside one, it runs at once. Never rejects: a failure of `fn` is logged.
   */
  async afterCommit(fn: AfterCommit): Promise<void> {
    const open = this.current.getStore();
    if (open) open.afterCommit.push(fn);
    else await this.follow(fn);
  }

  private async follow(fn: AfterCommit): Promise<void> {
    try {
      await fn();
    } catch (error) {
      // The data is committed: a failing follower must not turn that into a failure.
      this.logger.error(`after-commit work failed: ${(error as Error).message}`);
    }
  }
}
