import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { paginate, PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import type { Grant } from './access.js';
import { RoleBindingEntity, SubjectKind } from './role-binding.entity.js';

export interface SubjectRef {
  kind: SubjectKind;
  id: string;
}

@Injectable()
export class RoleBindingsRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(RoleBindingEntity);
  }

  /** Every (scope, permissions) pair bound to any of the subjects: the input of Access. */
  async grantsOf(subjects: SubjectRef[]): Promise<Grant[]> {
    if (!subjects.length) return [];
    const rows: { tenant_id: string | null; permissions: string[] }[] = await this.db.manager.query(
      `SELECT b.tenant_id, r.permissions
         FROM role_binding b JOIN role r ON r.id = b.role_id
        WHERE (b.subject_kind, b.subject_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))`,
      [subjects.map((s) => s.kind), subjects.map((s) => s.id)],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, permissions: row.permissions }));
  }

  create(values: Omit<RoleBindingEntity, 'id' | 'createdAt' | 'role'>): Promise<RoleBindingEntity> {
    return this.repo.save(this.repo.create(values));
  }

  exists(values: Pick<RoleBindingEntity, 'tenantId' | 'roleId' | 'subjectKind' | 'subjectId'>) {
    return this.repo.existsBy({ ...values, tenantId: values.tenantId ?? IsNull() });
  }

  /** Scoped lookup: a binding of another tenant is simply not found. */
  findInScope(id: string, tenantId: string | null): Promise<RoleBindingEntity | null> {
    return this.repo.findOne({ where: { id, tenantId: tenantId ?? IsNull() }, relations: { role: true } });
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  async deleteForSubject(kind: SubjectKind, subjectId: string): Promise<void> {
    await this.repo.delete({ subjectKind: kind, subjectId });
  }

  countUsingRole(roleId: string): Promise<number> {
    return this.repo.countBy({ roleId });
  }

  page(tenantId: string | null, page: PageQuery) {
    const query = this.repo.createQueryBuilder('binding').leftJoinAndSelect('binding.role', 'role');
    query.where(tenantId ? 'binding.tenant_id = :tenantId' : 'binding.tenant_id IS NULL', { tenantId });
    return paginate(query, 'binding.id', page, (row) => row);
  }

  countInTenant(tenantId: string): Promise<number> {
    return this.repo.countBy({ tenantId });
  }

  async deleteAllInTenant(tenantId: string): Promise<void> {
    await this.repo.delete({ tenantId });
  }
}
