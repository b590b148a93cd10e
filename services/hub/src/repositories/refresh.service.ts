import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { BindingEntity } from '../bindings/binding.entity.js';
import { BindingsRepository } from '../bindings/bindings.repository.js';
import { RevisionService } from '../revisions/revision.service.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { GitFetcher, scrub, secretsOf, type GitCredentials } from '../sources/index.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import type { GitRepositoryEntity } from './git-repository.entity.js';
import { GitRepositoriesRepository } from './git-repositories.repository.js';
import { RepositorySecrets } from './repository-secrets.js';

export interface RefreshReport {
  /** ref → commit, for the refs that resolved. */
  commits: Record<string, string>;
  /** ref → why it could not be fetched (scrubbed). */
  errors: Record<string, string>;
  /** Bindings that got a new revision. */
  updated: string[];
}

/**
 * Fetch → revision pipeline → scheduler for a repository's bindings. Each ref is fetched once
 * however many bindings use it; a failing repository only marks its own bindings.
 */
@Injectable()
export class RefreshService implements OnApplicationShutdown {
  private readonly logger = new Logger(RefreshService.name);
  private readonly running = new Map<string, { pending: boolean; done: Promise<void> }>();

  constructor(
    private readonly repositories: GitRepositoriesRepository,
    private readonly bindings: BindingsRepository,
    private readonly tenants: TenantsRepository,
    private readonly secrets: RepositorySecrets,
    private readonly fetcher: GitFetcher,
    private readonly revisions: RevisionService,
    private readonly scheduler: SchedulerService,
  ) {}

  /** Lets background refreshes finish before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running.values()].map((entry) => entry.done));
  }

  async refreshRepository(repositoryId: string): Promise<RefreshReport> {
    const repository = await this.repositories.findById(repositoryId);
    if (!repository) return { commits: {}, errors: {}, updated: [] };
    return this.refresh(repository, await this.bindings.forRepository(repository.id));
  }

  async syncBinding(binding: BindingEntity): Promise<RefreshReport> {
    const repository = await this.repositories.findById(binding.repositoryId);
    if (!repository) return { commits: {}, errors: {}, updated: [] };
    return this.refresh(repository, [binding]);
  }

  /**
   * For webhooks and polling: refresh in the background. Triggers arriving while a refresh
   * runs fold into one more refresh afterwards, so a burst of pushes costs two fetches.
   */
  trigger(repositoryId: string): Promise<void> {
    const current = this.running.get(repositoryId);
    if (current) {
      current.pending = true;
      return current.done;
    }
    const entry = { pending: false, done: Promise.resolve() };
    entry.done = (async () => {
      do {
        entry.pending = false;
        await this.refreshRepository(repositoryId).catch((error: unknown) =>
          this.logger.error(
            `refreshing repository ${repositoryId} failed: ${scrub((error as Error).message)}`,
          ),
        );
      } while (entry.pending);
      this.running.delete(repositoryId);
    })();
    this.running.set(repositoryId, entry);
    return entry.done;
  }

  private async refresh(repository: GitRepositoryEntity, bindings: BindingEntity[]): Promise<RefreshReport> {
    const credentials = await this.secrets.credentials(repository.id);
    const report: RefreshReport = { commits: {}, errors: {}, updated: [] };
    for (const ref of new Set(bindings.map((binding) => binding.ref))) {
      try {
        const { commit } = await this.fetcher.fetch({
          repoId: repository.id,
          url: repository.url,
          credentials,
          ref,
        });
        report.commits[ref] = commit;
      } catch (error) {
        report.errors[ref] = this.safeMessage(error, credentials);
      }
    }
    const errors = Object.entries(report.errors).map(([ref, message]) => `${ref}: ${message}`);
    await this.repositories.update(repository.id, {
      lastCommits: { ...repository.lastCommits, ...report.commits },
      lastFetchedAt: new Date(),
      lastError: errors.length ? errors.join('; ') : null,
    });
    const slugs = await this.tenants.slugsById([repository.tenantId]);
    const tenant = slugs.get(repository.tenantId)!;
    for (const binding of bindings) {
      const commit = report.commits[binding.ref];
      const lastError = commit ? null : (report.errors[binding.ref] ?? null);
      if (binding.lastError !== lastError) await this.bindings.update(binding.id, { lastError });
      if (!commit) continue;
      try {
        if (await this.revisions.record(binding, repository, tenant, commit)) report.updated.push(binding.id);
      } catch (error) {
        await this.bindings.update(binding.id, { lastError: this.safeMessage(error, credentials) });
      }
    }
    if (report.updated.length) await this.scheduler.bindingsChanged(report.updated);
    return report;
  }

  private safeMessage(error: unknown, credentials: GitCredentials | undefined): string {
    return scrub(error instanceof Error ? error.message : String(error), secretsOf(credentials));
  }
}
