import { Injectable } from '@nestjs/common';
import { paginate, type PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { GitRepositoryEntity } from './git-repository.entity.js';

/** The sealed columns, which plain reads leave out. */
export type SealedSecrets = Pick<GitRepositoryEntity, 'credentialsSealed' | 'webhookSecretSealed'>;

@Injectable()
export class GitRepositoriesRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(GitRepositoryEntity);
  }

  findByName(tenantId: string, name: string): Promise<GitRepositoryEntity | null> {
    return this.repo.findOneBy({ tenantId, name });
  }

  findById(id: string): Promise<GitRepositoryEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async sealed(id: string): Promise<SealedSecrets> {
    const row = await this.repo.findOne({
      where: { id },
      select: { id: true, credentialsSealed: true, webhookSecretSealed: true },
    });
    if (!row) throw new Error(`repository ${id} vanished`);
    return row;
  }

  /** Which of these repositories have credentials stored (the sealed value itself is not read). */
  async withCredentials(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await this.db.manager.query(
      'SELECT id FROM git_repository WHERE id = ANY($1) AND credentials_sealed IS NOT NULL',
      [ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  insert(values: Omit<GitRepositoryEntity, 'createdAt' | 'updatedAt'>): Promise<GitRepositoryEntity> {
    return this.repo.save(this.repo.create(values));
  }

  async update(id: string, values: Partial<GitRepositoryEntity>): Promise<void> {
    await this.repo.update({ id }, values);
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  /** Repositories whose poll interval has elapsed since their last fetch (or never fetched). */
  due(now: Date): Promise<GitRepositoryEntity[]> {
    return this.repo
      .createQueryBuilder('repo')
      .where(
        `repo.last_fetched_at IS NULL OR repo.last_fetched_at + make_interval(secs => repo.poll_interval_seconds) <= :now`,
        { now },
      )
      .orderBy('repo.last_fetched_at', 'ASC', 'NULLS FIRST')
      .limit(100)
      .getMany();
  }

  page(tenantId: string, page: PageQuery) {
    const query = this.repo.createQueryBuilder('repo').where('repo.tenant_id = :tenantId', { tenantId });
    return paginate(query, 'repo.name', page, (row) => row);
  }

  countInTenant(tenantId: string): Promise<number> {
    return this.repo.countBy({ tenantId });
  }

  async deleteAllInTenant(tenantId: string): Promise<void> {
    await this.repo.delete({ tenantId });
  }
}
