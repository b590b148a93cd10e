import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { pageQuery, type PageQuery } from '../common/pagination.js';
import { openApi, UuidParam, ValidBody, ValidQuery } from '../common/validation.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { createRoleBindingSchema, type CreateRoleBindingDto } from './rbac.dto.js';
import { RequirePermission } from './require-permission.js';
import { RoleBindingsService } from './role-bindings.service.js';
import { RouteTenant } from './route-tenant.js';

@ApiTags('rbac')
@Controller('api/v1/role-bindings')
export class PlatformRoleBindingsController {
  constructor(private readonly service: RoleBindingsService) {}

  @Get()
  @RequirePermission('rolebindings:read')
  list(@Auth() auth: AuthContext, @ValidQuery(pageQuery) page: PageQuery) {
    return this.service.list(auth, undefined, page);
  }

  @Post()
  @ApiOperation({ summary: 'Bind a role at platform scope (only roles whose permissions you hold)' })
  @ApiBody({ schema: openApi(createRoleBindingSchema) })
  @RequirePermission('rolebindings:write')
  create(@Auth() auth: AuthContext, @ValidBody(createRoleBindingSchema) dto: CreateRoleBindingDto) {
    return this.service.create(auth, undefined, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('rolebindings:write')
  async delete(@Auth() auth: AuthContext, @UuidParam('id') id: string) {
    await this.service.delete(auth, undefined, id);
  }
}

@ApiTags('rbac')
@Controller('api/v1/tenants/:tenant/role-bindings')
export class TenantRoleBindingsController {
  constructor(private readonly service: RoleBindingsService) {}

  @Get()
  @RequirePermission('rolebindings:read', { tenantParam: 'tenant' })
  list(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @ValidQuery(pageQuery) page: PageQuery,
  ) {
    return this.service.list(auth, tenant, page);
  }

  @Post()
  @ApiOperation({ summary: 'Bind a role inside the tenant (only roles whose permissions you hold there)' })
  @ApiBody({ schema: openApi(createRoleBindingSchema) })
  @RequirePermission('rolebindings:write', { tenantParam: 'tenant' })
  create(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @ValidBody(createRoleBindingSchema) dto: CreateRoleBindingDto,
  ) {
    return this.service.create(auth, tenant, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('rolebindings:write', { tenantParam: 'tenant' })
  async delete(@Auth() auth: AuthContext, @RouteTenant() tenant: TenantEntity, @UuidParam('id') id: string) {
    await this.service.delete(auth, tenant, id);
  }
}
