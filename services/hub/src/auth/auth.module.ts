import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { HUB_CONFIG, HubConfig } from '../config/config.js';
import { SettingsRepository } from '../database/settings.repository.js';
import { AccessTokens, JWT_KEY } from './access-tokens.js';
import { AuthStrategies } from './auth-strategies.js';
import { LoginController } from './login.controller.js';
import { LoginService } from './login.service.js';
import { MeController } from './me.controller.js';
import { OidcController } from './oidc/oidc.controller.js';
import { OidcService } from './oidc/oidc.service.js';
import { GroupsModule } from '../groups/groups.module.js';
import { ApiTokenStrategy } from './strategies/api-token.strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';

/**
 * Authentication: the passport strategies that turn a request into a Principal. A new way to
 * sign in (OIDC) adds its strategy class here and registers it with AuthStrategies.
 */
@Module({
  imports: [GroupsModule],
  controllers: [LoginController, MeController, OidcController],
  providers: [
    AuthStrategies,
    AccessTokens,
    LoginService,
    JwtStrategy,
    ApiTokenStrategy,
    OidcService,
    {
      provide: JWT_KEY,
      inject: [HUB_CONFIG, SettingsRepository],
      // Without a configured secret, the first replica's random key is stored and shared by all.
      useFactory: async (config: HubConfig, settings: SettingsRepository) =>
        new TextEncoder().encode(
          config.FLOTILLA_JWT_SECRET ??
            (await settings.getOrInsert('jwt-signing-key', randomBytes(48).toString('base64url'))),
        ),
    },
  ],
  exports: [AuthStrategies, AccessTokens],
})
export class AuthModule {}
