import { Injectable } from '@nestjs/common';
import type { PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { toDeploymentDto, toSyncHistoryDto } from '../deployments/deployment-view.js';
import type { DeploymentStatusEntity } from '../deployments/deployment-status.entity.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import { toPolicyGrant } from '../grants/grant.entity.js';
import { GrantsRepository } from '../grants/grants.repository.js';
import { GitRepositoriesRepository } from '../repositories/git-repositories.repository.js';
import { RepositorySecrets } from '../repositories/repository-secrets.js';
import { buildInputFor, buildRevision } from '../revisions/revision-builder.js';
import type { RevisionEntity } from '../revisions/revision.entity.js';
import { RevisionService } from '../revisions/revision.service.js';
import { RevisionsRepository } from '../revisions/revisions.repository.js';
import { AssignmentStateRepository } from '../scheduler/assignment-state.repository.js';
import type { AssignmentStateEntity } from '../scheduler/assignment-state.entity.js';
import { ClusterDirectory, type ClusterView } from '../scheduler/cluster-directory.js';
import { policyOnCluster, targets } from '../scheduler/placement.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { GitFetcher, scrub } from '../sources/index.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import type { BindingEntity } from './binding.entity.js';
import { toBindingDto } from './binding-view.js';

/** What the API shows about a binding beyond its stored fields: revision, verdicts, clusters. */
@Injectable()
export class BindingStatus {
  constructor(
    private readonly repositories: GitRepositoriesRepository,
    private readonly revisions: RevisionsRepository,
    private readonly revisionService: RevisionService,
    private readonly grants: GrantsRepository,
    private readonly clusters: ClusterDirectory,
    private readonly scheduler: SchedulerService,
    private readonly states: AssignmentStateRepository,
    private readonly secrets: RepositorySecrets,
    private readonly fetcher: GitFetcher,
    private readonly deployments: DeploymentsRepository,
  ) {}

  async base(binding: BindingEntity, tenant: TenantEntity) {
    const repository = await this.repositories.findById(binding.repositoryId);
    const pinned = binding.pinnedRevisionId ? await this.revisions.findById(binding.pinnedRevisionId) : null;
    return toBindingDto(binding, { tenant: tenant.slug, repository: repository?.name ?? '', pinned });
  }

  /**
   * The newest revision with its verdicts (policy re-evaluated against today's grants and
   * clusters) and, per targeted cluster, the revision it is assigned and what it reported.
   */
  async view(binding: BindingEntity, tenant: TenantEntity) {
    const latest = await this.revisions.latest(binding.id);
    const grants = (await this.grants.forTenant(binding.tenantId)).map(toPolicyGrant);
    const checks = latest?.bundleDigest
      ? {
          ...latest.checks,
          policy: await this.revisionService.policyCheck(
            binding,
            await this.scheduler.objectsOf(latest.bundleDigest),
          ),
        }
      : (latest?.checks ?? null);
    const reported = new Map(
      (await this.deployments.forBinding(binding.tenantId, binding.id)).map((row) => [row.clusterId, row]),
    );
    const targeted = (await this.clusters.all()).filter((c) => targets(binding, c));
    // One read of every targeted cluster's assignment, not one per cluster: the view answers every binding POST.
    const states = await this.states.findMany(targeted.map((cluster) => cluster.id));
    const accepted = await this.scheduler.acceptedRevisions(binding, grants, targeted);
    const clusters = targeted.map((cluster) =>
      this.clusterEntry(
        binding,
        cluster,
        accepted.get(cluster.id),
        reported.get(cluster.id),
        states.get(cluster.id),
      ),
    );
    return {
      ...(await this.base(binding, tenant)),
      revision: latest?.commit ?? null,
      revisionNumber: latest?.number ?? null,
      status: latest?.status ?? null,
      checks,
      clusters,
    };
  }

  /** One cluster of the binding (targeted now, or reported before) with its sync history. */
  async cluster(binding: BindingEntity, clusterName: string, page: PageQuery) {
    const cluster = (await this.clusters.all()).find((c) => c.name === clusterName);
    const reported = cluster && (await this.deployments.find(binding.tenantId, binding.id, cluster.id));
    if (!cluster || (!targets(binding, cluster) && !reported))
      throw Problem.notFound(`cluster "${clusterName}" of binding "${binding.name}"`);
    const grants = (await this.grants.forTenant(binding.tenantId)).map(toPolicyGrant);
    const history = await this.deployments.historyPage(binding.tenantId, binding.id, cluster.id, page);
    return {
      ...this.clusterEntry(
        binding,
        cluster,
        await this.scheduler.acceptedRevision(binding, grants, cluster),
        reported ?? undefined,
        (await this.states.find(cluster.id)) ?? undefined,
      ),
      history: { ...history, items: history.items.map(toSyncHistoryDto) },
    };
  }

  private clusterEntry(
    binding: BindingEntity,
    cluster: ClusterView,
    assigned: RevisionEntity | undefined,
    reported: DeploymentStatusEntity | undefined,
    state: AssignmentStateEntity | undefined,
  ) {
    const bundleDigest = assigned?.bundleDigest ?? null;
    return {
      id: cluster.id,
      name: cluster.name,
      revision: assigned?.number ?? null,
      commit: assigned?.commit ?? null,
      bundleDigest,
      published: Boolean(state?.bindingIds.includes(binding.id)),
      assignmentRevision: state?.revision ?? null,
      ...toDeploymentDto(reported, bundleDigest),
    };
  }

  /** Renders and checks the binding's ref as it is now, without recording or publishing anything. */
  async preview(binding: BindingEntity, tenant: TenantEntity) {
    const repository = (await this.repositories.findById(binding.repositoryId))!;
    const credentials = await this.secrets.credentials(repository.id);
    let commit: string;
    try {
      ({ commit } = await this.fetcher.fetch({
        repoId: repository.id,
        url: repository.url,
        credentials,
        ref: binding.ref,
      }));
    } catch (error) {
      return { commit: null, error: scrub((error as Error).message), clusters: [], objects: [] };
    }
    const built = await buildRevision(buildInputFor(this.fetcher, binding, repository, tenant.slug, commit));
    const grants = (await this.grants.forTenant(binding.tenantId)).map(toPolicyGrant);
    const objects = built.objects ?? [];
    const clusters = (await this.clusters.all())
      .filter((cluster) => targets(binding, cluster))
      .map((cluster) => {
        const verdict = policyOnCluster(objects, grants, cluster);
        return {
          id: cluster.id,
          name: cluster.name,
          accepted: built.objects !== undefined && verdict.passed,
          findings: verdict.passed ? [] : verdict.findings,
        };
      });
    return { commit, checks: built.checks, clusters, objects };
  }
}
