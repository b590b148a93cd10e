import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import { PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { TenantOwnership } from './tenant-ownership.js';
import { CreateTenantDto, toTenantDto, UpdateTenantDto } from './tenant.dto.js';
import type { TenantEntity } from './tenant.entity.js';
import { TenantsRepository } from './tenants.repository.js';

@Injectable()
export class TenantsService {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsRepository,
    private readonly ownership: TenantOwnership,
    private readonly audit: AuditService,
  ) {}

  create(auth: AuthContext, dto: CreateTenantDto) {
    return this.db.transaction(async () => {
      if (await this.tenants.findBySlug(dto.slug))
        throw Problem.conflict(`tenant "${dto.slug}" already exists`);
      const tenant = await this.tenants.create(dto);
      const after = toTenantDto(tenant);
      await this.audit.record(auth, {
        action: 'tenants:create',
        tenant,
        target: `tenant/${tenant.slug}`,
        after,
      });
      return after;
    });
  }

  async list(auth: AuthContext, page: PageQuery) {
    return this.tenants.page(auth.access.tenantsWith('tenants:read'), page).then((result) => ({
      ...result,
      items: result.items.map(toTenantDto),
    }));
  }

  get(_auth: AuthContext, tenant: TenantEntity) {
    return toTenantDto(tenant);
  }

  update(auth: AuthContext, tenant: TenantEntity, dto: UpdateTenantDto) {
    return this.db.transaction(async () => {
      const before = toTenantDto(tenant);
      const saved = await this.tenants.save(Object.assign(tenant, dto));
      const after = toTenantDto(saved);
      await this.audit.record(auth, {
        action: 'tenants:update',
        tenant,
        target: `tenant/${tenant.slug}`,
        before,
        after,
      });
      return after;
    });
  }

  /** Refused while the tenant owns anything, unless forced: then all of it goes in one transaction. */
  async offboard(auth: AuthContext, tenant: TenantEntity, force: boolean) {
    const followUps = await this.db.transaction(async () => {
      const owned = await this.ownership.census(tenant.id);
      if (Object.keys(owned).length && !force) {
        const list = Object.entries(owned).map(([kind, count]) => `${count} ${kind}`);
        throw Problem.conflict(`tenant "${tenant.slug}" still owns ${list.join(', ')}; use ?force=true`, {
          owned,
        });
      }
      const after = await this.ownership.purge(tenant.id);
      await this.tenants.delete(tenant.id);
      await this.audit.record(auth, {
        action: 'tenants:delete',
        tenant,
        target: `tenant/${tenant.slug}`,
        before: { ...toTenantDto(tenant), owned },
      });
      return after;
    });
    await this.ownership.afterPurge(tenant.id, followUps);
  }
}
