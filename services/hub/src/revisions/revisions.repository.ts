import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { paginate, type PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { BundleEntity } from './bundle.entity.js';
import { RevisionEntity } from './revision.entity.js';

/** What scheduling reads of a revision (not its checks, which list every cluster). */
export type ScheduledRevision = Pick<
  RevisionEntity,
  'id' | 'bindingId' | 'number' | 'commit' | 'bundleDigest'
>;
const SCHEDULED_COLUMNS = ['id', 'bindingId', 'number', 'commit', 'bundleDigest'] as const;

@Injectable()
export class RevisionsRepository {
  constructor(private readonly db: Db) {}

  private get revisions() {
    return this.db.repository(RevisionEntity);
  }

  private get bundles() {
    return this.db.repository(BundleEntity);
  }

  latest(bindingId: string): Promise<RevisionEntity | null> {
    return this.revisions.findOne({ where: { bindingId }, order: { number: 'DESC' } });
  }

  findById(id: string): Promise<RevisionEntity | null> {
    return this.revisions.findOneBy({ id });
  }

  findByNumber(bindingId: string, number: number): Promise<RevisionEntity | null> {
    return this.revisions.findOneBy({ bindingId, number });
  }

  /** Newest first: revisions that produced a bundle, the candidates for deployment. */
  deployable(bindingId: string, limit: number): Promise<RevisionEntity[]> {
    return this.revisions.find({
      where: { bindingId, bundleDigest: Not(IsNull()) },
      order: { number: 'DESC' },
      take: limit,
    });
  }

  /** Just the columns scheduling reads (not the checks, which name every cluster). */
  private scheduled() {
    return this.revisions
      .createQueryBuilder('revision')
      .select(SCHEDULED_COLUMNS.map((column) => `revision.${column}`));
  }

  /** These revisions (those that exist), for scheduling. */
  findScheduled(ids: readonly string[]): Promise<ScheduledRevision[]> {
    return ids.length
      ? this.scheduled().where('revision.id = ANY(:ids)', { ids }).getMany()
      : Promise.resolve([]);
  }

  /** `deployable` of many bindings in one query: binding id → up to `limit` revisions, newest first. */
  async deployableForBindings(
    bindingIds: readonly string[],
    limit: number,
  ): Promise<Map<string, ScheduledRevision[]>> {
    const byBinding = new Map<string, ScheduledRevision[]>(bindingIds.map((id) => [id, []]));
    if (!bindingIds.length) return byBinding;
    const rows = await this.scheduled()
      .where(
        `revision.id IN (
          SELECT id FROM (
            SELECT id, row_number() OVER (PARTITION BY binding_id ORDER BY number DESC) AS rank
            FROM revision WHERE binding_id = ANY(:bindingIds) AND bundle_digest IS NOT NULL
          ) AS ranked WHERE rank <= :limit)`,
        { bindingIds, limit },
      )
      .orderBy('revision.number', 'DESC')
      .getMany();
    for (const row of rows) byBinding.get(row.bindingId)!.push(row);
    return byBinding;
  }

  /** Appends the binding's next revision; the binding row lock serialises concurrent appends. */
  async append(values: Omit<RevisionEntity, 'id' | 'number' | 'createdAt'>): Promise<RevisionEntity> {
    await this.db.manager.query('SELECT 1 FROM binding WHERE id = $1 FOR UPDATE', [values.bindingId]);
    const [{ next }] = (await this.db.manager.query(
      'SELECT COALESCE(MAX(number), 0) + 1 AS next FROM revision WHERE binding_id = $1',
      [values.bindingId],
    )) as [{ next: number }];
    return this.revisions.save(this.revisions.create({ ...values, number: next }));
  }

  history(bindingId: string, page: PageQuery) {
    const query = this.revisions
      .createQueryBuilder('revision')
      .where('revision.binding_id = :bindingId', { bindingId });
    return paginate(query, 'revision.number', page, (row) => row, 'DESC');
  }

  /** Stores a bundle once; the same digest means the same bytes, so a second insert is a no-op. */
  async putBundle(bundle: Omit<BundleEntity, 'createdAt'>): Promise<void> {
    await this.bundles.createQueryBuilder().insert().values(bundle).orIgnore().execute();
  }

  findBundle(digest: string): Promise<BundleEntity | null> {
    return this.bundles.findOneBy({ digest });
  }
}
