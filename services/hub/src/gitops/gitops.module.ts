import { join } from 'node:path';
import { Logger, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { BindingStatus } from '../bindings/binding-status.js';
import { BindingsController } from '../bindings/bindings.controller.js';
import { BindingsRepository } from '../bindings/bindings.repository.js';
import { BindingsService } from '../bindings/bindings.service.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { DeploymentIngest } from '../deployments/deployment-ingest.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import { GrantsController } from '../grants/grants.controller.js';
import { GrantsRepository } from '../grants/grants.repository.js';
import { GrantsService } from '../grants/grants.service.js';
import { GitRepositoriesRepository } from '../repositories/git-repositories.repository.js';
import { RepositoryPoller } from '../repositories/poller.js';
import { RefreshService } from '../repositories/refresh.service.js';
import { RepositoriesController } from '../repositories/repositories.controller.js';
import { RepositoriesService } from '../repositories/repositories.service.js';
import { RepositorySecrets } from '../repositories/repository-secrets.js';
import { WebhooksController } from '../repositories/webhooks.controller.js';
import { WebhooksService } from '../repositories/webhooks.service.js';
import { BundleSigner } from '../revisions/bundle-signer.js';
import { RevisionService } from '../revisions/revision.service.js';
import { RevisionsRepository } from '../revisions/revisions.repository.js';
import { ASSIGNMENT_SINK } from '../scheduler/assignment-sink.js';
import { AssignmentStateRepository } from '../scheduler/assignment-state.repository.js';
import { BundleAccess } from '../scheduler/bundle-access.js';
import { ClusterDirectory } from '../scheduler/cluster-directory.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { HubMessaging } from '../messaging/hub-messaging.service.js';
import { Histogram } from 'prom-client';
import { HubMetrics } from '../health/metrics.js';
import { GitFetcher } from '../sources/index.js';
import { TenantOwnership } from '../tenants/tenant-ownership.js';
import { TenantsModule } from '../tenants/tenants.module.js';

/**
 * Git sources, grants, bindings, the revision pipeline, the scheduler and deployment status: one module because
 * they call each other in a circle (a grant change reschedules, a refresh reschedules, the
 * scheduler reads all of them); the folders keep the parts apart.
 */
@Module({
  imports: [TenantsModule],
  controllers: [GrantsController, RepositoriesController, BindingsController, WebhooksController],
  providers: [
    GrantsRepository,
    GrantsService,
    GitRepositoriesRepository,
    RepositorySecrets,
    RepositoriesService,
    RefreshService,
    RepositoryPoller,
    WebhooksService,
    BindingsRepository,
    BindingsService,
    BindingStatus,
    RevisionsRepository,
    RevisionService,
    BundleSigner,
    AssignmentStateRepository,
    ClusterDirectory,
    SchedulerService,
    BundleAccess,
    DeploymentsRepository,
    DeploymentIngest,
    {
      provide: GitFetcher,
      inject: [HUB_CONFIG, HubMetrics],
      useFactory: (config: HubConfig, metrics: HubMetrics) => {
        const fetches = new Histogram({
          name: 'flotilla_git_fetch_duration_seconds',
          help: 'Git fetches of repositories, by outcome',
          labelNames: ['outcome'] as const,
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
          registers: [metrics.registry],
        });
        return new GitFetcher({
          cacheDir: config.FLOTILLA_GIT_CACHE_DIR ?? join(config.FLOTILLA_DATA_DIR, 'git'),
          allowedHosts: config.FLOTILLA_GIT_ALLOWED_HOSTS,
          onFetched: ({ ok, seconds }) => fetches.observe({ outcome: ok ? 'ok' : 'error' }, seconds),
        });
      },
    },
    { provide: ASSIGNMENT_SINK, useExisting: HubMessaging },
  ],
  exports: [SchedulerService, BundleAccess, BundleSigner],
})
export class GitOpsModule implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(GitOpsModule.name);

  constructor(
    private readonly ownership: TenantOwnership,
    private readonly grants: GrantsRepository,
    private readonly repositories: GitRepositoriesRepository,
    private readonly bindings: BindingsRepository,
    private readonly messaging: HubMessaging,
    private readonly bundles: BundleAccess,
    private readonly scheduler: SchedulerService,
    private readonly deployments: DeploymentIngest,
  ) {}

  onModuleInit(): void {
    this.messaging.serve('bundle', (clusterId, request) => this.bundles.fetch(clusterId, request));
    this.messaging.onStatusInTransaction((clusterId, message) => this.deployments.ingest(clusterId, message));
    // Purged in reverse: bindings (and their revisions) before the repositories they use.
    this.ownership.register({
      name: 'grants',
      count: (tenantId) => this.grants.countInTenant(tenantId),
      purge: (tenantId) => this.grants.deleteAllInTenant(tenantId),
    });
    this.ownership.register({
      name: 'repositories',
      count: (tenantId) => this.repositories.countInTenant(tenantId),
      purge: (tenantId) => this.repositories.deleteAllInTenant(tenantId),
    });
    this.ownership.register({
      name: 'bindings',
      count: (tenantId) => this.bindings.countInTenant(tenantId),
      purge: async (tenantId) => {
        const gone = (await this.bindings.forTenant(tenantId)).map((binding) => binding.id);
        await this.bindings.deleteAllInTenant(tenantId);
        // The clusters that ran them get assignments without them (and prune what they applied).
        return () => this.scheduler.bindingsChanged(gone);
      },
    });
  }

  onApplicationBootstrap(): void {
    // Publishing fails while NATS is unreachable; once connected, catch up on every cluster
    // (unchanged ones publish nothing). Deferred so HubMessaging has begun connecting.
    setImmediate(() => {
      if (this.messaging.mode === 'disabled') return;
      this.messaging
        .ready()
        .then(() => this.scheduler.recomputeAll())
        .catch((error: unknown) =>
          this.logger.warn(`assignments not reconciled: ${(error as Error).message}`),
        );
    });
  }
}
