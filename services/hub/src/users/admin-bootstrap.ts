import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { hashPassword } from '../auth/passwords.js';
import { Db } from '../database/db.js';
import { RoleBindingsRepository } from '../rbac/role-bindings.repository.js';
import { RolesRepository } from '../rbac/roles.repository.js';
import { UsersRepository } from './users.repository.js';

export const ADMIN_USERNAME = 'admin';
const BOOTSTRAP_LOCK = 0x666c7462; // "fltb"

/** First start: creates `admin` bound to platform-admin. Later starts leave it alone. */
@Injectable()
export class AdminBootstrap {
  constructor(
    private readonly db: Db,
    private readonly users: UsersRepository,
    private readonly roles: RolesRepository,
    private readonly bindings: RoleBindingsRepository,
    private readonly audit: AuditService,
  ) {}

  /** Returns the password only when it generated one, for the caller to show exactly once. */
  async ensure(configuredPassword: string | undefined): Promise<{ generatedPassword?: string }> {
    const password = configuredPassword ?? randomBytes(18).toString('base64url');
    const passwordHash = await hashPassword(password);
    return this.db.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if (await this.users.findByUsername(ADMIN_USERNAME)) return {};
      const admin = await this.users.create({
        username: ADMIN_USERNAME,
        displayName: 'Platform administrator',
        email: null,
        source: 'local',
        passwordHash,
      });
      const role = await this.roles.findUsable('platform-admin', null);
      await this.bindings.create({
        tenantId: null,
        roleId: role!.id,
        subjectKind: 'user',
        subjectId: admin.id,
        subjectName: admin.username,
        createdBy: 'system:bootstrap',
      });
      await this.audit.succeeded({ kind: 'system', name: 'bootstrap' }, undefined, {
        action: 'users:create',
        target: `user/${ADMIN_USERNAME}`,
        after: { username: ADMIN_USERNAME, role: 'platform-admin' },
      });
      return configuredPassword ? {} : { generatedPassword: password };
    });
  }
}
