import { Module } from '@nestjs/common';
import { TenantOwnership } from './tenant-ownership.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';

@Module({
  controllers: [TenantsController],
  providers: [TenantsService, TenantOwnership],
  exports: [TenantOwnership],
})
export class TenantsModule {}
