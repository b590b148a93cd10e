import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { paginate, PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { TenantEntity, TenantQuotas } from './tenant.entity.js';

@Injectable()
export class TenantsRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(TenantEntity);
  }

  findBySlug(slug: string): Promise<TenantEntity | null> {
    return this.repo.findOneBy({ slug });
  }

  async slugsById(ids: string[]): Promise<Map<string, string>> {
    const rows = ids.length ? await this.repo.findBy({ id: In(ids) }) : [];
    return new Map(rows.map((row) => [row.id, row.slug]));
  }

  create(values: { slug: string; displayName: string; quotas: TenantQuotas }): Promise<TenantEntity> {
    return this.repo.save(this.repo.create(values));
  }

  save(tenant: TenantEntity): Promise<TenantEntity> {
    return this.repo.save(tenant);
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  /** `visible` is 'all' for platform-wide readers, else the tenant ids the caller may read. */
  page(visible: 'all' | string[], page: PageQuery) {
    const query = this.repo.createQueryBuilder('tenant');
    if (visible !== 'all') query.where('tenant.id = ANY(:visible)', { visible });
    return paginate(query, 'tenant.slug', page, (row) => row);
  }
}
