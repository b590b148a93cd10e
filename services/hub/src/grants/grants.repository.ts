import { Injectable } from '@nestjs/common';
import { paginate, type PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { GrantEntity } from './grant.entity.js';

@Injectable()
export class GrantsRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(GrantEntity);
  }

  findByName(tenantId: string, name: string): Promise<GrantEntity | null> {
    return this.repo.findOneBy({ tenantId, name });
  }

  forTenant(tenantId: string): Promise<GrantEntity[]> {
    return this.repo.find({ where: { tenantId }, order: { name: 'ASC' } });
  }

  all(): Promise<GrantEntity[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  save(grant: Partial<GrantEntity>): Promise<GrantEntity> {
    return this.repo.save(this.repo.create(grant));
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  page(tenantId: string, page: PageQuery) {
    const query = this.repo.createQueryBuilder('grant').where('grant.tenant_id = :tenantId', { tenantId });
    return paginate(query, 'grant.name', page, (row) => row);
  }

  countInTenant(tenantId: string): Promise<number> {
    return this.repo.countBy({ tenantId });
  }

  async deleteAllInTenant(tenantId: string): Promise<void> {
    await this.repo.delete({ tenantId });
  }
}
