import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { openApi, ValidBody, ValidQuery } from '../common/validation.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import {
  createRoleSchema,
  roleDeleteQuerySchema,
  tenantFilterSchema,
  type CreateRoleDto,
  type TenantFilter,
} from './rbac.dto.js';
import { RequirePermission } from './require-permission.js';
import { RolesService } from './roles.service.js';
import { RouteTenant } from './route-tenant.js';

@ApiTags('rbac')
@Controller('api/v1/roles')
export class RolesController {
  constructor(private readonly service: RolesService) {}

  @Get()
  @ApiOperation({ summary: 'Built-in, platform and (visible) tenant roles; ?tenant= narrows to one tenant' })
  @ApiQuery({ name: 'tenant', required: false })
  @RequirePermission('roles:read', { tenantQuery: 'tenant', otherwise: 'any' })
  list(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidQuery(tenantFilterSchema) filter: TenantFilter,
  ) {
    return this.service.list(auth, tenant, filter);
  }

  @Post()
  @ApiOperation({
    summary: 'Create a custom role (in a tenant when `tenant` is given); only with permissions you hold',
  })
  @ApiBody({ schema: openApi(createRoleSchema) })
  @RequirePermission('roles:write', { tenantBody: 'tenant' })
  create(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidBody(createRoleSchema) dto: CreateRoleDto,
  ) {
    return this.service.create(auth, tenant, dto);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiQuery({ name: 'tenant', required: false })
  @RequirePermission('roles:write', { tenantQuery: 'tenant' })
  async delete(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @Param('name') name: string,
    @ValidQuery(roleDeleteQuerySchema) _query: unknown,
  ) {
    await this.service.delete(auth, tenant, name);
  }
}
