import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ClustersModule } from './clusters/clusters.module.js';
import { HubConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { CryptoModule } from './crypto/crypto.module.js';
import { DatabaseModule } from './database/database.module.js';
import { FleetModule } from './fleet/fleet.module.js';
import { GitOpsModule } from './gitops/gitops.module.js';
import { GroupsModule } from './groups/groups.module.js';
import { HealthModule } from './health/health.module.js';
import { HubMetrics } from './health/metrics.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { RbacModule } from './rbac/rbac.module.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(config: HubConfig, metrics: HubMetrics): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        AuditModule,
        AuthModule,
        TenantsModule,
        RbacModule,
        UsersModule,
        GroupsModule,
        TokensModule,
        CryptoModule,
        MessagingModule,
        ClustersModule,
        GitOpsModule,
        FleetModule,
        HealthModule.forRoot(metrics),
      ],
    };
  }
}
