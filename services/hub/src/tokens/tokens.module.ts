import { Module, OnModuleInit } from '@nestjs/common';
import { RbacModule } from '../rbac/rbac.module.js';
import { TenantOwnership } from '../tenants/tenant-ownership.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { TokensController } from './tokens.controller.js';
import { TokensRepository } from './tokens.repository.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [RbacModule, TenantsModule],
  controllers: [TokensController],
  providers: [TokensService],
})
export class TokensModule implements OnModuleInit {
  constructor(
    private readonly ownership: TenantOwnership,
    private readonly tokens: TokensRepository,
  ) {}

  onModuleInit(): void {
    this.ownership.register({
      name: 'tokens',
      count: (tenantId) => this.tokens.countActiveInTenant(tenantId),
      purge: (tenantId) => this.tokens.deleteAllInTenant(tenantId),
    });
  }
}
