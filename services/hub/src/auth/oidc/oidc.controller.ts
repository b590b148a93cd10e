import { Controller, Get, Inject, Next, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AuditService } from '../../audit/audit.service.js';
import { Problem } from '../../common/problem.js';
import { Public } from '../../rbac/require-permission.js';
import type { UserEntity } from '../../users/user.entity.js';
import { AccessTokens, JWT_KEY } from '../access-tokens.js';
import { AuthStrategies } from '../auth-strategies.js';
import { attachCookieSession } from './cookie-session.js';
import { OIDC_STRATEGY, OidcService } from './oidc.service.js';

/**
 * SSO endpoints. The callback answers JSON with the hub's access token, or — when the login
 * began with `?redirect=` pointing at a loopback address (the CLI's `flotilla login --sso`
 * listener) — redirects there with the token.
 */
@ApiTags('auth')
@Controller('api/v1/auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcService,
    private readonly strategies: AuthStrategies,
    private readonly tokens: AccessTokens,
    private readonly audit: AuditService,
    @Inject(JWT_KEY) private readonly key: Uint8Array,
  ) {}

  @Get('login')
  @Public()
  @ApiOperation({
    summary: 'Start single sign-on: redirects to the identity provider (authorization code + PKCE)',
  })
  @ApiQuery({
    name: 'redirect',
    required: false,
    description: 'loopback URL to receive the token (CLI login)',
  })
  async login(
    @Req() req: Request,
    @Res() res: Response,
    @Next() next: NextFunction,
    @Query('redirect') redirect?: string,
  ): Promise<void> {
    await this.oidc.ensureStrategy();
    const session = attachCookieSession(req, res, this.key);
    session.returnTo = redirect === undefined ? null : loopbackUrl(redirect);
    this.strategies.passport.authenticate(OIDC_STRATEGY, { session: false })(req, res, next);
  }

  @Get('callback')
  @Public()
  @ApiOperation({
    summary: 'Single sign-on callback: exchanges the code and answers with a hub access token',
  })
  async callback(@Req() req: Request, @Res() res: Response, @Next() next: NextFunction): Promise<void> {
    await this.oidc.ensureStrategy();
    const session = attachCookieSession(req, res, this.key);
    const returnTo = typeof session.returnTo === 'string' ? session.returnTo : null;
    const user = await new Promise<UserEntity | null>((resolve, reject) => {
      this.strategies.passport.authenticate(
        OIDC_STRATEGY,
        { session: false },
        (error: unknown, found: UserEntity | false, info?: { message?: string }) => {
          if (error)
            reject(error instanceof Problem ? error : new Problem('unauthenticated', 'SSO login failed'));
          else if (!found) reject(new Problem('unauthenticated', info?.message ?? 'SSO login failed'));
          else resolve(found);
        },
      )(req, res, next);
    }).catch(async (problem: Problem) => {
      await this.audit.denied({ kind: 'anonymous', name: 'sso' }, req.id as string, {
        action: 'auth:sso-login',
        target: 'sso',
      });
      throw problem;
    });
    if (!user) return;
    await this.audit.succeeded({ kind: 'user', name: user.username }, req.id as string, {
      action: 'auth:sso-login',
      target: `user/${user.username}`,
    });
    const issued = await this.tokens.issue(user);
    delete session.returnTo;
    if (returnTo) {
      const target = new URL(returnTo);
      target.searchParams.set('access_token', issued.accessToken);
      res.redirect(302, target.href);
    } else {
      res.json({ ...issued, username: user.username });
    }
  }
}

function loopbackUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw Problem.validation([{ field: 'redirect', message: 'must be an absolute URL' }]);
  }
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    // Anything else would hand the access token to another site (open redirect).
    throw Problem.validation([
      { field: 'redirect', message: 'must be an http://127.0.0.1 or http://localhost address' },
    ]);
  }
  return url.href;
}
