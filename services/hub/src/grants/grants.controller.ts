import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { pageQuery, type PageQuery } from '../common/pagination.js';
import { openApi, ValidBody, ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { RouteTenant } from '../rbac/route-tenant.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import {
  createGrantSchema,
  updateGrantSchema,
  type CreateGrantDto,
  type UpdateGrantDto,
} from './grant.dto.js';
import { GrantsService } from './grants.service.js';

@ApiTags('grants')
@Controller('api/v1/tenants/:tenant/grants')
export class GrantsController {
  constructor(private readonly service: GrantsService) {}

  @Post()
  @ApiOperation({
    summary: 'Grant a tenant clusters to deploy to',
    description:
      'Cluster selector, namespace patterns, allowed cluster-scoped kinds (none by default) and CEL rules ' +
      'every object must satisfy. Platform admins only.',
  })
  @ApiBody({ schema: openApi(createGrantSchema) })
  @RequirePermission('grants:write', { tenantParam: 'tenant' })
  create(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @ValidBody(createGrantSchema) dto: CreateGrantDto,
  ) {
    return this.service.create(auth, tenant, dto);
  }

  @Get()
  @RequirePermission('grants:read', { tenantParam: 'tenant' })
  list(@RouteTenant() tenant: TenantEntity, @ValidQuery(pageQuery) page: PageQuery) {
    return this.service.list(tenant, page);
  }

  @Get(':grant')
  @RequirePermission('grants:read', { tenantParam: 'tenant' })
  get(@RouteTenant() tenant: TenantEntity, @Param('grant') name: string) {
    return this.service.get(tenant, name);
  }

  @Patch(':grant')
  @ApiBody({ schema: openApi(updateGrantSchema) })
  @RequirePermission('grants:write', { tenantParam: 'tenant' })
  update(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @Param('grant') name: string,
    @ValidBody(updateGrantSchema) dto: UpdateGrantDto,
  ) {
    return this.service.update(auth, tenant, name, dto);
  }

  @Delete(':grant')
  @HttpCode(204)
  @RequirePermission('grants:write', { tenantParam: 'tenant' })
  async remove(@Auth() auth: AuthContext, @RouteTenant() tenant: TenantEntity, @Param('grant') name: string) {
    await this.service.remove(auth, tenant, name);
  }
}
