import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { paginate, type PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { BindingEntity } from './binding.entity.js';

@Injectable()
export class BindingsRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(BindingEntity);
  }

  findByName(tenantId: string, name: string): Promise<BindingEntity | null> {
    return this.repo.findOneBy({ tenantId, name });
  }

  findById(id: string): Promise<BindingEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByIds(ids: readonly string[]): Promise<BindingEntity[]> {
    return ids.length ? this.repo.findBy({ id: In([...ids]) }) : Promise.resolve([]);
  }

  forRepository(repositoryId: string): Promise<BindingEntity[]> {
    return this.repo.find({ where: { repositoryId }, order: { name: 'ASC' } });
  }

  forTenant(tenantId: string): Promise<BindingEntity[]> {
    return this.repo.find({ where: { tenantId }, order: { name: 'ASC' } });
  }

  all(): Promise<BindingEntity[]> {
    return this.repo.find({ order: { id: 'ASC' } });
  }

  save(binding: Partial<BindingEntity>): Promise<BindingEntity> {
    return this.repo.save(this.repo.create(binding));
  }

  async update(id: string, values: Partial<BindingEntity>): Promise<void> {
    await this.repo.update({ id }, values);
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  countForRepository(repositoryId: string): Promise<number> {
    return this.repo.countBy({ repositoryId });
  }

  page(tenantId: string, page: PageQuery) {
    const query = this.repo
      .createQueryBuilder('binding')
      .where('binding.tenant_id = :tenantId', { tenantId });
    return paginate(query, 'binding.name', page, (row) => row);
  }

  countInTenant(tenantId: string): Promise<number> {
    return this.repo.countBy({ tenantId });
  }

  async deleteAllInTenant(tenantId: string): Promise<void> {
    await this.repo.delete({ tenantId });
  }
}
