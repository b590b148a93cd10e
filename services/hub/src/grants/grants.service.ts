import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import type { PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { toGrantDto, type CreateGrantDto, type UpdateGrantDto } from './grant.dto.js';
import type { GrantEntity } from './grant.entity.js';
import { GrantsRepository } from './grants.repository.js';

/** Grants are written by platform admins (grants:write is a platform permission). */
@Injectable()
export class GrantsService {
  constructor(
    private readonly db: Db,
    private readonly grants: GrantsRepository,
    private readonly audit: AuditService,
    private readonly scheduler: SchedulerService,
  ) {}

  async create(auth: AuthContext, tenant: TenantEntity, dto: CreateGrantDto) {
    const grant = await this.db.transaction(async () => {
      if (await this.grants.findByName(tenant.id, dto.name))
        throw Problem.conflict(`grant "${dto.name}" already exists in tenant ${tenant.slug}`);
      const saved = await this.grants.save({ tenantId: tenant.id, ...dto });
      await this.audit.record(auth, {
        action: 'grants:create',
        tenant,
        target: `grant/${saved.name}`,
        after: toGrantDto(saved, tenant.slug),
      });
      return saved;
    });
    await this.scheduler.grantChanged(tenant.id, [grant.clusterSelector]);
    return toGrantDto(grant, tenant.slug);
  }

  async list(tenant: TenantEntity, page: PageQuery) {
    const result = await this.grants.page(tenant.id, page);
    return { ...result, items: result.items.map((grant) => toGrantDto(grant, tenant.slug)) };
  }

  async get(tenant: TenantEntity, name: string) {
    return toGrantDto(await this.find(tenant, name), tenant.slug);
  }

  async update(auth: AuthContext, tenant: TenantEntity, name: string, dto: UpdateGrantDto) {
    const { before, after } = await this.db.transaction(async () => {
      const grant = await this.find(tenant, name);
      const previous = toGrantDto(grant, tenant.slug);
      const saved = await this.grants.save(Object.assign(grant, dto));
      await this.audit.record(auth, {
        action: 'grants:update',
        tenant,
        target: `grant/${name}`,
        before: previous,
        after: toGrantDto(saved, tenant.slug),
      });
      return { before: previous, after: saved };
    });
    await this.scheduler.grantChanged(tenant.id, [before.clusterSelector, after.clusterSelector]);
    return toGrantDto(after, tenant.slug);
  }

  async remove(auth: AuthContext, tenant: TenantEntity, name: string) {
    const grant = await this.db.transaction(async () => {
      const found = await this.find(tenant, name);
      await this.grants.delete(found.id);
      await this.audit.record(auth, {
        action: 'grants:delete',
        tenant,
        target: `grant/${name}`,
        before: toGrantDto(found, tenant.slug),
      });
      return found;
    });
    await this.scheduler.grantChanged(tenant.id, [grant.clusterSelector]);
  }

  private async find(tenant: TenantEntity, name: string): Promise<GrantEntity> {
    const grant = await this.grants.findByName(tenant.id, name);
    if (!grant) throw Problem.notFound(`grant "${name}" in tenant ${tenant.slug}`);
    return grant;
  }
}
