import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { paginate, PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { RoleEntity } from './role.entity.js';

@Injectable()
export class RolesRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(RoleEntity);
  }

  /** A tenant's own role of that name first, then a built-in or platform-wide one. */
  async findUsable(name: string, tenantId: string | null): Promise<RoleEntity | null> {
    if (tenantId) {
      const own = await this.repo.findOneBy({ name, tenantId });
      if (own) return own;
    }
    return this.repo.findOneBy({ name, tenantId: IsNull() });
  }

  findOwned(name: string, tenantId: string | null): Promise<RoleEntity | null> {
    return this.repo.findOneBy({ name, tenantId: tenantId ?? IsNull() });
  }

  async upsertBuiltin(name: string, description: string, permissions: string[]): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .insert()
      .values({ name, description, permissions, builtin: true, tenantId: null })
      .orUpdate(['permissions', 'description', 'builtin'], ['tenant_id', 'name'])
      .execute();
  }

  create(values: Pick<RoleEntity, 'name' | 'description' | 'permissions' | 'tenantId'>): Promise<RoleEntity> {
    return this.repo.save(this.repo.create({ ...values, builtin: false }));
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  /** Built-in and platform roles are visible to all role readers; tenant roles only in their tenants. */
  page(tenants: 'all' | string[], page: PageQuery) {
    const query = this.repo.createQueryBuilder('role');
    if (tenants !== 'all')
      query.where('(role.tenant_id IS NULL OR role.tenant_id = ANY(:tenants))', { tenants });
    return paginate(query, 'role.id', page, (row) => row);
  }

  countInTenant(tenantId: string): Promise<number> {
    return this.repo.countBy({ tenantId });
  }

  async deleteAllInTenant(tenantId: string): Promise<void> {
    await this.repo.delete({ tenantId });
  }
}
