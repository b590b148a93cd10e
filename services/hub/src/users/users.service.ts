import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import { hashPassword } from '../auth/passwords.js';
import { PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { CreateUserDto, ResetPasswordDto, toUserDto } from './user.dto.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
  ) {}

  async create(auth: AuthContext, dto: CreateUserDto) {
    const passwordHash = await hashPassword(dto.password);
    return this.db.transaction(async () => {
      if (await this.users.findByUsername(dto.username)) {
        throw Problem.conflict(`user "${dto.username}" already exists`);
      }
      const user = await this.users.create({
        username: dto.username,
        displayName: dto.displayName ?? null,
        email: dto.email ?? null,
        source: 'local',
        passwordHash,
      });
      const after = toUserDto(user);
      await this.audit.record(auth, { action: 'users:create', target: `user/${user.username}`, after });
      return after;
    });
  }

  async list(_auth: AuthContext, page: PageQuery) {
    const result = await this.users.page(page);
    return { ...result, items: result.items.map(toUserDto) };
  }

  async get(_auth: AuthContext, username: string) {
    return toUserDto(await this.find(username));
  }

  setDisabled(auth: AuthContext, username: string, disabled: boolean) {
    return this.db.transaction(async () => {
      const user = await this.find(username);
      if (disabled && auth.principal.kind === 'user' && auth.principal.id === user.id) {
        throw Problem.conflict('you cannot disable yourself');
      }
      const before = toUserDto(user);
      await this.users.update(user.id, { disabledAt: disabled ? new Date() : null });
      const after = toUserDto((await this.users.findById(user.id))!);
      const action = disabled ? 'users:disable' : 'users:enable';
      await this.audit.record(auth, { action, target: `user/${username}`, before, after });
      return after;
    });
  }

  async resetPassword(auth: AuthContext, username: string, dto: ResetPasswordDto) {
    const passwordHash = await hashPassword(dto.password);
    await this.db.transaction(async () => {
      const user = await this.find(username);
      if (user.source !== 'local') throw Problem.conflict(`user "${username}" signs in through SSO`);
      await this.users.update(user.id, { passwordHash });
      await this.audit.record(auth, { action: 'users:reset-password', target: `user/${username}` });
    });
  }

  private async find(username: string) {
    const user = await this.users.findByUsername(username);
    if (!user) throw Problem.notFound(`user "${username}"`);
    return user;
  }
}
