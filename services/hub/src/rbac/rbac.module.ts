import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module.js';
import { TenantOwnership } from '../tenants/tenant-ownership.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { AccessResolver } from './access-resolver.js';
import { AccessGuard } from './access.guard.js';
import { Authorizer } from './authorizer.js';
import { PlatformRoleBindingsController, TenantRoleBindingsController } from './role-bindings.controller.js';
import { RoleBindingsRepository } from './role-bindings.repository.js';
import { RoleBindingsService } from './role-bindings.service.js';
import { RolesController } from './roles.controller.js';
import { RolesRepository } from './roles.repository.js';
import { RolesService } from './roles.service.js';

@Module({
  imports: [AuthModule, TenantsModule],
  controllers: [RolesController, PlatformRoleBindingsController, TenantRoleBindingsController],
  providers: [
    AccessResolver,
    Authorizer,
    RolesService,
    RoleBindingsService,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [Authorizer, RoleBindingsService],
})
export class RbacModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly ownership: TenantOwnership,
    private readonly roles: RolesRepository,
    private readonly bindings: RoleBindingsRepository,
    private readonly rolesService: RolesService,
  ) {}

  onModuleInit(): void {
    // Roles first: purging runs in reverse, so bindings go before the roles they point at.
    this.ownership.register({
      name: 'roles',
      count: (tenantId) => this.roles.countInTenant(tenantId),
      purge: (tenantId) => this.roles.deleteAllInTenant(tenantId),
    });
    this.ownership.register({
      name: 'roleBindings',
      count: (tenantId) => this.bindings.countInTenant(tenantId),
      purge: (tenantId) => this.bindings.deleteAllInTenant(tenantId),
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.rolesService.syncBuiltins();
  }
}
