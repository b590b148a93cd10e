import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import { Strategy as CustomStrategy } from 'passport-custom';
import { GroupsRepository } from '../../groups/groups.repository.js';
import { looksLikeApiToken } from '../../tokens/token-secret.js';
import { UsersRepository } from '../../users/users.repository.js';
import { AccessTokens } from '../access-tokens.js';
import type { Principal } from '../auth-context.js';
import { AuthStrategies, bearerToken } from '../auth-strategies.js';

/** Bearer JWTs issued by POST /auth/login (and, later, by the SSO callback). */
@Injectable()
export class JwtStrategy implements OnModuleInit {
  constructor(
    private readonly strategies: AuthStrategies,
    private readonly tokens: AccessTokens,
    private readonly users: UsersRepository,
    private readonly groups: GroupsRepository,
  ) {}

  onModuleInit(): void {
    this.strategies.register(
      'flotilla-jwt',
      new CustomStrategy((req, done) => {
        this.validate(req as Request).then((principal) => done(null, principal ?? false), done);
      }),
    );
  }

  private async validate(req: Request): Promise<Principal | null> {
    const token = bearerToken(req);
    if (!token || looksLikeApiToken(token)) return null;
    const claims = await this.tokens.verify(token);
    if (!claims) return null;
    const user = await this.users.findById(claims.userId);
    if (!user || user.disabledAt || user.sessionVersion !== claims.sessionVersion) return null;
    return {
      kind: 'user',
      id: user.id,
      name: user.username,
      groupIds: await this.groups.groupIdsOf(user.id),
    };
  }
}
