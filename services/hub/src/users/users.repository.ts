import { Injectable } from '@nestjs/common';
import { paginate, PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { UserEntity } from './user.entity.js';

@Injectable()
export class UsersRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(UserEntity);
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ username });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** The only read that loads the password hash. */
  findForLogin(username: string): Promise<UserEntity | null> {
    return this.repo
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.username = :username', { username })
      .getOne();
  }

  create(values: Pick<UserEntity, 'username' | 'displayName' | 'email' | 'source' | 'passwordHash'>) {
    return this.repo.save(this.repo.create({ ...values, sessionVersion: 0, disabledAt: null }));
  }

  async update(id: string, values: Partial<Pick<UserEntity, 'disabledAt' | 'passwordHash'>>): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update()
      .set({ ...values, sessionVersion: () => 'session_version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  page(page: PageQuery) {
    return paginate(this.repo.createQueryBuilder('user'), 'user.username', page, (row) => row);
  }
}
