import { Injectable } from '@nestjs/common';
import { matchesNamespacePattern } from '@flotilla/policy';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import type { PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { GrantsRepository } from '../grants/grants.repository.js';
import { GitRepositoriesRepository } from '../repositories/git-repositories.repository.js';
import { RefreshService } from '../repositories/refresh.service.js';
import { RevisionsRepository } from '../revisions/revisions.repository.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import type { BindingEntity } from './binding.entity.js';
import { toRevisionDto } from './binding-view.js';
import type { CreateBindingDto, RollbackDto, UpdateBindingDto } from './binding.dto.js';
import { BindingStatus } from './binding-status.js';
import { BindingsRepository } from './bindings.repository.js';

@Injectable()
export class BindingsService {
  constructor(
    private readonly db: Db,
    private readonly bindings: BindingsRepository,
    private readonly repositories: GitRepositoriesRepository,
    private readonly revisions: RevisionsRepository,
    private readonly grants: GrantsRepository,
    private readonly refresher: RefreshService,
    private readonly scheduler: SchedulerService,
    private readonly status: BindingStatus,
    private readonly audit: AuditService,
  ) {}

  /** Creates the binding, then fetches and checks its first revision and schedules it. */
  async create(auth: AuthContext, tenant: TenantEntity, dto: CreateBindingDto) {
    const binding = await this.db.transaction(async () => {
      if (await this.bindings.findByName(tenant.id, dto.name))
        throw Problem.conflict(`binding "${dto.name}" already exists in tenant ${tenant.slug}`);
      const repositoryId = await this.repositoryId(tenant, dto.repository);
      await this.checkNamespace(tenant, dto.namespace);
      const { repository: _name, ...fields } = dto;
      const saved = await this.bindings.save({
        ...fields,
        tenantId: tenant.id,
        repositoryId,
        pinnedRevisionId: null,
      });
      await this.audit.record(auth, {
        action: 'bindings:create',
        tenant,
        target: `binding/${saved.name}`,
        after: await this.dto(saved, tenant),
      });
      return saved;
    });
    await this.refresher.syncBinding(binding);
    await this.scheduler.bindingsChanged([binding.id]);
    return this.status.view(await this.reload(binding), tenant);
  }

  async list(tenant: TenantEntity, page: PageQuery) {
    const result = await this.bindings.page(tenant.id, page);
    const items = [];
    for (const binding of result.items) items.push(await this.dto(binding, tenant));
    return { ...result, items };
  }

  async get(tenant: TenantEntity, name: string) {
    return this.status.view(await this.find(tenant, name), tenant);
  }

  async update(auth: AuthContext, tenant: TenantEntity, name: string, dto: UpdateBindingDto) {
    const binding = await this.mutate(auth, tenant, name, 'bindings:update', async () => {
      const { repository, ...fields } = dto;
      if (dto.namespace !== undefined) await this.checkNamespace(tenant, dto.namespace);
      return {
        ...fields,
        ...(repository !== undefined && { repositoryId: await this.repositoryId(tenant, repository) }),
      };
    });
    await this.refresher.syncBinding(binding);
    await this.scheduler.bindingsChanged([binding.id]);
    return this.status.view(await this.reload(binding), tenant);
  }

  async remove(auth: AuthContext, tenant: TenantEntity, name: string) {
    const binding = await this.db.transaction(async () => {
      const found = await this.find(tenant, name);
      await this.audit.record(auth, {
        action: 'bindings:delete',
        tenant,
        target: `binding/${name}`,
        before: await this.dto(found, tenant),
      });
      await this.bindings.delete(found.id);
      return found;
    });
    // Gone from the table, so every cluster that had it gets an assignment without it.
    await this.scheduler.bindingsChanged([binding.id]);
  }

  async history(tenant: TenantEntity, name: string, page: PageQuery) {
    const binding = await this.find(tenant, name);
    const result = await this.revisions.history(binding.id, page);
    return { ...result, items: result.items.map(toRevisionDto) };
  }

  async cluster(tenant: TenantEntity, name: string, cluster: string, page: PageQuery) {
    return this.status.cluster(await this.find(tenant, name), cluster, page);
  }

  /** Fetches now (whatever the poll interval) and schedules what came out. */
  async sync(auth: AuthContext, tenant: TenantEntity, name: string) {
    const binding = await this.find(tenant, name);
    await this.db.transaction(() =>
      this.audit.record(auth, { action: 'bindings:sync', tenant, target: `binding/${name}` }),
    );
    await this.refresher.syncBinding(binding);
    await this.scheduler.bindingsChanged([binding.id]);
    return this.status.view(await this.reload(binding), tenant);
  }

  /** Pins an earlier revision that passed every check; it stays deployed until unpinned. */
  async rollback(auth: AuthContext, tenant: TenantEntity, name: string, dto: RollbackDto) {
    const binding = await this.mutate(auth, tenant, name, 'bindings:rollback', async (found) => {
      const revision = await this.revisions.findByNumber(found.id, dto.revision);
      if (!revision)
        throw Problem.validation([{ field: 'revision', message: `binding has no revision ${dto.revision}` }]);
      if (revision.status !== 'passed' || !revision.bundleDigest)
        throw Problem.validation([
          {
            field: 'revision',
            message: `revision ${dto.revision} did not pass its checks and cannot be deployed`,
          },
        ]);
      return { pinnedRevisionId: revision.id };
    });
    await this.scheduler.bindingsChanged([binding.id]);
    return this.status.view(binding, tenant);
  }

  async unpin(auth: AuthContext, tenant: TenantEntity, name: string) {
    const binding = await this.mutate(auth, tenant, name, 'bindings:unpin', async () => ({
      pinnedRevisionId: null,
    }));
    await this.scheduler.bindingsChanged([binding.id]);
    return this.status.view(binding, tenant);
  }

  async setSuspended(auth: AuthContext, tenant: TenantEntity, name: string, suspended: boolean) {
    const action = suspended ? 'bindings:suspend' : 'bindings:resume';
    const binding = await this.mutate(auth, tenant, name, action, async () => ({ suspended }));
    await this.scheduler.bindingsChanged([binding.id]);
    return this.status.view(binding, tenant);
  }

  preview(tenant: TenantEntity, name: string) {
    return this.find(tenant, name).then((binding) => this.status.preview(binding, tenant));
  }

  /** One audited change to a binding's row; returns the updated binding. */
  private mutate(
    auth: AuthContext,
    tenant: TenantEntity,
    name: string,
    action: string,
    change: (binding: BindingEntity) => Promise<Partial<BindingEntity>>,
  ): Promise<BindingEntity> {
    return this.db.transaction(async () => {
      const found = await this.find(tenant, name);
      const before = await this.dto(found, tenant);
      await this.bindings.update(found.id, await change(found));
      const saved = await this.reload(found);
      await this.audit.record(auth, {
        action,
        tenant,
        target: `binding/${name}`,
        before,
        after: await this.dto(saved, tenant),
      });
      return saved;
    });
  }

  private async repositoryId(tenant: TenantEntity, name: string): Promise<string> {
    const repository = await this.repositories.findByName(tenant.id, name);
    if (!repository)
      throw Problem.validation([
        { field: 'repository', message: `no repository "${name}" in tenant ${tenant.slug}` },
      ]);
    return repository.id;
  }

  /** Isolation at bind time: some grant of the tenant must allow the target namespace. */
  private async checkNamespace(tenant: TenantEntity, namespace: string): Promise<void> {
    const grants = await this.grants.forTenant(tenant.id);
    if (
      !grants.some((grant) => grant.namespaces.some((pattern) => matchesNamespacePattern(namespace, pattern)))
    )
      throw Problem.validation([
        { field: 'namespace', message: `no grant of tenant ${tenant.slug} allows namespace "${namespace}"` },
      ]);
  }

  private async find(tenant: TenantEntity, name: string): Promise<BindingEntity> {
    const binding = await this.bindings.findByName(tenant.id, name);
    if (!binding) throw Problem.notFound(`binding "${name}" in tenant ${tenant.slug}`);
    return binding;
  }

  private async reload(binding: BindingEntity): Promise<BindingEntity> {
    return (await this.bindings.findById(binding.id))!;
  }

  private dto(binding: BindingEntity, tenant: TenantEntity) {
    return this.status.base(binding, tenant);
  }
}
