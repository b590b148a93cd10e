import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { PageQuery } from '../common/pagination.js';
import { Db } from '../database/db.js';
import { GroupsRepository } from './groups.repository.js';

@Injectable()
export class GroupsService {
  constructor(
    private readonly db: Db,
    private readonly groups: GroupsRepository,
  ) {}

  async list(_auth: AuthContext, page: PageQuery) {
    const result = await this.groups.page(page);
    return {
      ...result,
      items: result.items.map((group) => ({
        name: group.name,
        source: group.source,
        createdAt: group.createdAt.toISOString(),
      })),
    };
  }

  /** For SSO: makes the user a member of exactly these groups, creating unknown ones. */
  syncMemberships(userId: string, groupNames: string[], source = 'oidc'): Promise<void> {
    return this.db.transaction(async () => {
      const groups = [];
      for (const name of new Set(groupNames)) groups.push(await this.groups.upsert(name, source));
      await this.groups.setMembership(
        userId,
        groups.map((group) => group.id),
      );
    });
  }
}
