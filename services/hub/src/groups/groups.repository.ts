import { Injectable } from '@nestjs/common';
import { paginate, PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { GroupEntity } from './group.entity.js';

@Injectable()
export class GroupsRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(GroupEntity);
  }

  findByName(name: string): Promise<GroupEntity | null> {
    return this.repo.findOneBy({ name });
  }

  async upsert(name: string, source: string): Promise<GroupEntity> {
    await this.repo.createQueryBuilder().insert().values({ name, source }).orIgnore().execute();
    return this.repo.findOneByOrFail({ name });
  }

  async groupIdsOf(userId: string): Promise<string[]> {
    const rows: { group_id: string }[] = await this.db.manager.query(
      'SELECT group_id FROM group_member WHERE user_id = $1',
      [userId],
    );
    return rows.map((row) => row.group_id);
  }

  async setMembership(userId: string, groupIds: string[]): Promise<void> {
    await this.db.manager.query('DELETE FROM group_member WHERE user_id = $1', [userId]);
    if (groupIds.length) {
      await this.db.manager.query(
        'INSERT INTO group_member (group_id, user_id) SELECT unnest($1::uuid[]), $2',
        [groupIds, userId],
      );
    }
  }

  page(page: PageQuery) {
    return paginate(this.repo.createQueryBuilder('group'), 'group.name', page, (row) => row);
  }
}
