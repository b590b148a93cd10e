import { Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { AuditRepository } from '../audit/audit.repository.js';
import { ClustersRepository } from '../clusters/clusters.repository.js';
import { HUB_CONFIG, HubConfig } from '../config/config.js';
import { GroupsRepository } from '../groups/groups.repository.js';
import { RoleBindingsRepository } from '../rbac/role-bindings.repository.js';
import { RolesRepository } from '../rbac/roles.repository.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { TokensRepository } from '../tokens/tokens.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { createDataSource } from './data-source.js';
import { Db } from './db.js';
import { migrate } from './migrate.js';
import { SettingsRepository } from './settings.repository.js';

// Every repository, available everywhere: modules depend on each other's services, never
// on each other's tables, and no module graph cycles appear just to read a row.
const repositories = [
  TenantsRepository,
  UsersRepository,
  GroupsRepository,
  TokensRepository,
  RolesRepository,
  RoleBindingsRepository,
  AuditRepository,
  SettingsRepository,
  ClustersRepository,
];

@Global()
@Module({
  providers: [
    {
      provide: Db,
      inject: [HUB_CONFIG],
      useFactory: async (config: HubConfig) => {
        const dataSource = createDataSource(config.FLOTILLA_DATABASE_URL);
        await dataSource.initialize();
        await migrate(dataSource);
        return new Db(dataSource);
      },
    },
    ...repositories,
  ],
  exports: [Db, ...repositories],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(private readonly db: Db) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.db.dataSource.isInitialized) await this.db.dataSource.destroy();
  }
}
