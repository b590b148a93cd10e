import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { pageQuery, type PageQuery } from '../common/pagination.js';
import { openApi, ValidBody, ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { RouteTenant } from '../rbac/route-tenant.js';
import {
  createTenantSchema,
  offboardQuerySchema,
  updateTenantSchema,
  type CreateTenantDto,
  type UpdateTenantDto,
} from './tenant.dto.js';
import type { TenantEntity } from './tenant.entity.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('tenants')
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(private readonly service: TenantsService) {}

  @Post()
  @ApiOperation({ summary: 'Onboard a tenant' })
  @ApiBody({ schema: openApi(createTenantSchema) })
  @RequirePermission('tenants:create')
  create(@Auth() auth: AuthContext, @ValidBody(createTenantSchema) dto: CreateTenantDto) {
    return this.service.create(auth, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List the tenants the caller can read' })
  @RequirePermission('tenants:read', { otherwise: 'any' })
  list(@Auth() auth: AuthContext, @ValidQuery(pageQuery) page: PageQuery) {
    return this.service.list(auth, page);
  }

  @Get(':tenant')
  @RequirePermission('tenants:read', { tenantParam: 'tenant' })
  get(@Auth() auth: AuthContext, @RouteTenant() tenant: TenantEntity) {
    return this.service.get(auth, tenant);
  }

  @Patch(':tenant')
  @ApiBody({ schema: openApi(updateTenantSchema) })
  @RequirePermission('tenants:update', { tenantParam: 'tenant' })
  update(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @ValidBody(updateTenantSchema) dto: UpdateTenantDto,
  ) {
    return this.service.update(auth, tenant, dto);
  }

  @Delete(':tenant')
  @HttpCode(204)
  @ApiOperation({ summary: 'Offboard a tenant; 409 while it owns things unless ?force=true' })
  @RequirePermission('tenants:delete', { tenantParam: 'tenant' })
  async offboard(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @ValidQuery(offboardQuerySchema) query: { force: 'true' | 'false' },
  ) {
    await this.service.offboard(auth, tenant, query.force === 'true');
  }
}
