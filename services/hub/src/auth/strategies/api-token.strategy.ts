import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import { Strategy as CustomStrategy } from 'passport-custom';
import { hashTokenSecret, looksLikeApiToken } from '../../tokens/token-secret.js';
import { TokensRepository } from '../../tokens/tokens.repository.js';
import type { Principal } from '../auth-context.js';
import { AuthStrategies, bearerToken } from '../auth-strategies.js';

/** API tokens (`flt_…`) for automation; expired and revoked tokens are refused. */
@Injectable()
export class ApiTokenStrategy implements OnModuleInit {
  constructor(
    private readonly strategies: AuthStrategies,
    private readonly tokens: TokensRepository,
  ) {}

  onModuleInit(): void {
    this.strategies.register(
      'flotilla-api-token',
      new CustomStrategy((req, done) => {
        this.validate(req as Request).then((principal) => done(null, principal ?? false), done);
      }),
    );
  }

  private async validate(req: Request): Promise<Principal | null> {
    const secret = bearerToken(req);
    if (!secret || !looksLikeApiToken(secret)) return null;
    const token = await this.tokens.findByHash(hashTokenSecret(secret));
    const now = new Date();
    if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return null;
    await this.tokens.touch(token.id, now);
    return { kind: 'token', id: token.id, name: token.name, tenantId: token.tenantId };
  }
}
