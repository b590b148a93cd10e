import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { paginate, PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { ApiTokenEntity } from './api-token.entity.js';

@Injectable()
export class TokensRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(ApiTokenEntity);
  }

  findByHash(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.repo.findOneBy({ tokenHash });
  }

  findById(id: string): Promise<ApiTokenEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Active (unrevoked) token by name in a tenant, or among platform tokens when tenantId is null. */
  findActiveByName(tenantId: string | null, name: string): Promise<ApiTokenEntity | null> {
    return this.repo.findOneBy({ tenantId: tenantId ?? IsNull(), name, revokedAt: IsNull() });
  }

  create(values: Pick<ApiTokenEntity, 'tenantId' | 'name' | 'tokenHash' | 'createdBy' | 'expiresAt'>) {
    return this.repo.save(this.repo.create(values));
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { revokedAt: at });
  }

  /** Records use at most once a minute, so busy CI tokens do not write on every request. */
  async touch(id: string, at: Date): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: at })
      .where('id = :id AND (last_used_at IS NULL OR last_used_at < :stale)', {
        id,
        stale: new Date(at.getTime() - 60_000),
      })
      .execute();
  }

  /** `platform` includes platform tokens; `tenants` is 'all' or the tenant ids the caller may read. */
  page(scope: { platform: boolean; tenants: 'all' | string[] }, page: PageQuery) {
    const query = this.repo.createQueryBuilder('token');
    const tenants =
      scope.tenants === 'all' ? 'token.tenant_id IS NOT NULL' : 'token.tenant_id = ANY(:tenants)';
    query.where(scope.platform ? `(token.tenant_id IS NULL OR ${tenants})` : tenants, {
      tenants: scope.tenants,
    });
    return paginate(query, 'token.id', page, (row) => row);
  }

  countActiveInTenant(tenantId: string): Promise<number> {
    return this.repo.countBy({ tenantId, revokedAt: IsNull() });
  }

  async deleteAllInTenant(tenantId: string): Promise<void> {
    await this.repo.delete({ tenantId });
  }
}
