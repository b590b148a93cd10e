import { Inject, Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import { Strategy as OidcStrategy, type VerifyFunction } from 'openid-client/passport';
import { Problem } from '../../common/problem.js';
import { HUB_CONFIG, type HubConfig } from '../../config/config.js';
import { GroupsService } from '../../groups/groups.service.js';
import { UsersRepository } from '../../users/users.repository.js';
import type { UserEntity } from '../../users/user.entity.js';
import { AuthStrategies } from '../auth-strategies.js';

export const OIDC_STRATEGY = 'oidc';

/**
 * Single sign-on: openid-client's passport strategy (authorization code + PKCE) against the
 * configured issuer. A signed-in SSO user becomes a hub user of source `oidc` whose group
 * memberships are replaced by the groups claim at every login, so role bindings of groups
 * follow the identity provider.
 */
@Injectable()
export class OidcService {
  private registered: Promise<void> | null = null;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly strategies: AuthStrategies,
    private readonly users: UsersRepository,
    private readonly groups: GroupsService,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.FLOTILLA_OIDC_ISSUER);
  }

  /** Discovery happens on first use, so a hub starts even while its identity provider is down. */
  ensureStrategy(): Promise<void> {
    if (!this.enabled) throw new Problem('notFound', 'single sign-on is not configured on this hub');
    this.registered ??= this.register().catch((error: unknown) => {
      this.registered = null;
      throw new Problem('unavailable', `identity provider unreachable: ${(error as Error).message}`);
    });
    return this.registered;
  }

  private async register(): Promise<void> {
    const { config } = this;
    const oidc = await client.discovery(
      new URL(config.FLOTILLA_OIDC_ISSUER!),
      config.FLOTILLA_OIDC_CLIENT_ID!,
      config.FLOTILLA_OIDC_CLIENT_SECRET,
      undefined,
      config.FLOTILLA_OIDC_ALLOW_HTTP ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    const verify: VerifyFunction = (tokens, done) => {
      this.signIn(tokens.claims() ?? {}).then(
        (user) => done(null, user),
        (error: unknown) =>
          error instanceof Problem ? done(null, false, { message: error.message }) : done(error),
      );
    };
    this.strategies.passport.use(
      OIDC_STRATEGY,
      new OidcStrategy(
        {
          config: oidc,
          name: OIDC_STRATEGY,
          callbackURL: config.FLOTILLA_OIDC_REDIRECT_URL,
          scope: config.FLOTILLA_OIDC_SCOPES,
        },
        verify,
      ),
    );
  }

  private async signIn(claims: Record<string, unknown>): Promise<UserEntity> {
    const username = claims[this.config.FLOTILLA_OIDC_USERNAME_CLAIM] ?? claims.sub;
    if (typeof username !== 'string' || !username) {
      throw new Problem(
        'unauthenticated',
        `the identity provider sent no ${this.config.FLOTILLA_OIDC_USERNAME_CLAIM} claim`,
      );
    }
    const existing = await this.users.findByUsername(username);
    if (existing && existing.source !== 'oidc') {
      // A local account is never taken over by an SSO identity that happens to share its name.
      throw new Problem(
        'unauthenticated',
        `user ${username} is a local account and cannot sign in through SSO`,
      );
    }
    if (existing?.disabledAt) throw new Problem('unauthenticated', `user ${username} is disabled`);
    const user =
      existing ??
      (await this.users.create({
        username,
        displayName: typeof claims.name === 'string' ? claims.name : null,
        email: typeof claims.email === 'string' ? claims.email : null,
        source: 'oidc',
        passwordHash: null,
      }));
    const claimed = claims[this.config.FLOTILLA_OIDC_GROUPS_CLAIM];
    const groupNames = Array.isArray(claimed)
      ? claimed.filter((name): name is string => typeof name === 'string')
      : [];
    await this.groups.syncMemberships(user.id, groupNames);
    return user;
  }
}
