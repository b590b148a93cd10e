import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { Problem } from '../common/problem.js';
import { UsersRepository } from '../users/users.repository.js';
import { AccessTokens } from './access-tokens.js';
import { LoginLimiter } from './login-limiter.js';
import { verifyPassword } from './passwords.js';

export interface LoginAttempt {
  username: string;
  password: string;
  clientIp: string;
  requestId: string;
}

@Injectable()
export class LoginService {
  private readonly limiter: LoginLimiter;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: AccessTokens,
    private readonly audit: AuditService,
    @Inject(HUB_CONFIG) config: HubConfig,
  ) {
    this.limiter = new LoginLimiter(
      config.FLOTILLA_LOGIN_MAX_FAILURES,
      config.FLOTILLA_LOGIN_WINDOW_SECONDS * 1000,
    );
  }

  async login(attempt: LoginAttempt) {
    const key = `${attempt.username}|${attempt.clientIp}`;
    const retryAfter = this.limiter.retryAfter(key);
    if (retryAfter) {
      throw new Problem('rateLimited', `too many failed logins; retry in ${retryAfter} s`, { retryAfter });
    }
    const user = await this.users.findForLogin(attempt.username);
    const valid = await verifyPassword(user?.passwordHash ?? null, attempt.password);
    const actor = { kind: 'user' as const, name: attempt.username };
    if (!user || !valid || user.disabledAt) {
      this.limiter.fail(key);
      // One message for every cause, so the answer does not reveal which usernames exist.
      throw new Problem('unauthenticated', 'invalid username or password').deny({
        actor,
        requestId: attempt.requestId,
        action: 'auth:login',
        target: `user/${attempt.username}`,
      });
    }
    this.limiter.succeed(key);
    await this.audit.succeeded(actor, attempt.requestId, {
      action: 'auth:login',
      target: `user/${user.username}`,
    });
    return this.tokens.issue(user);
  }
}
