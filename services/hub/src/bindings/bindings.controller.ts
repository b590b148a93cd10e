import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { pageQuery, type PageQuery } from '../common/pagination.js';
import { openApi, ValidBody, ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { RouteTenant } from '../rbac/route-tenant.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import {
  createBindingSchema,
  rollbackSchema,
  updateBindingSchema,
  type CreateBindingDto,
  type RollbackDto,
  type UpdateBindingDto,
} from './binding.dto.js';
import { BindingsService } from './bindings.service.js';

@ApiTags('bindings')
@Controller('api/v1/tenants/:tenant/bindings')
export class BindingsController {
  constructor(private readonly service: BindingsService) {}

  @Post()
  @ApiOperation({
    summary: 'Bind a path of a repository to the clusters a selector matches',
    description: 'The first revision is fetched, rendered and checked before the answer; see `checks`.',
  })
  @ApiBody({ schema: openApi(createBindingSchema) })
  @RequirePermission('bindings:write', { tenantParam: 'tenant' })
  create(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @ValidBody(createBindingSchema) dto: CreateBindingDto,
  ) {
    return this.service.create(auth, tenant, dto);
  }

  @Get()
  @RequirePermission('bindings:read', { tenantParam: 'tenant' })
  list(@RouteTenant() tenant: TenantEntity, @ValidQuery(pageQuery) page: PageQuery) {
    return this.service.list(tenant, page);
  }

  @Get(':binding')
  @RequirePermission('bindings:read', { tenantParam: 'tenant' })
  get(@RouteTenant() tenant: TenantEntity, @Param('binding') name: string) {
    return this.service.get(tenant, name);
  }

  @Patch(':binding')
  @ApiBody({ schema: openApi(updateBindingSchema) })
  @RequirePermission('bindings:write', { tenantParam: 'tenant' })
  update(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @Param('binding') name: string,
    @ValidBody(updateBindingSchema) dto: UpdateBindingDto,
  ) {
    return this.service.update(auth, tenant, name, dto);
  }

  @Delete(':binding')
  @HttpCode(204)
  @RequirePermission('bindings:write', { tenantParam: 'tenant' })
  async remove(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @Param('binding') name: string,
  ) {
    await this.service.remove(auth, tenant, name);
  }

  @Post(':binding/preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Which clusters match and which objects would be applied, without publishing' })
  @RequirePermission('bindings:read', { tenantParam: 'tenant' })
  preview(@RouteTenant() tenant: TenantEntity, @Param('binding') name: string) {
    return this.service.preview(tenant, name);
  }

  @Get(':binding/history')
  @ApiOperation({ summary: 'Revisions, newest first, with their check verdicts' })
  @RequirePermission('bindings:read', { tenantParam: 'tenant' })
  history(
    @RouteTenant() tenant: TenantEntity,
    @Param('binding') name: string,
    @ValidQuery(pageQuery) page: PageQuery,
  ) {
    return this.service.history(tenant, name, page);
  }

  @Get(':binding/clusters/:cluster')
  @ApiOperation({ summary: 'What one cluster runs of the binding, with its sync history (newest first)' })
  @RequirePermission('bindings:read', { tenantParam: 'tenant' })
  cluster(
    @RouteTenant() tenant: TenantEntity,
    @Param('binding') name: string,
    @Param('cluster') cluster: string,
    @ValidQuery(pageQuery) page: PageQuery,
  ) {
    return this.service.cluster(tenant, name, cluster, page);
  }

  @Post(':binding/sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fetch and check now, then publish' })
  @RequirePermission('bindings:sync', { tenantParam: 'tenant' })
  sync(@Auth() auth: AuthContext, @RouteTenant() tenant: TenantEntity, @Param('binding') name: string) {
    return this.service.sync(auth, tenant, name);
  }

  @Post(':binding/rollback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pin an earlier revision that passed every check',
    description: 'The binding stays on it, also under automated sync, until `unpin`.',
  })
  @ApiBody({ schema: openApi(rollbackSchema) })
  @RequirePermission('bindings:rollback', { tenantParam: 'tenant' })
  rollback(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @Param('binding') name: string,
    @ValidBody(rollbackSchema) dto: RollbackDto,
  ) {
    return this.service.rollback(auth, tenant, name, dto);
  }

  @Post(':binding/unpin')
  @HttpCode(200)
  @RequirePermission('bindings:rollback', { tenantParam: 'tenant' })
  unpin(@Auth() auth: AuthContext, @RouteTenant() tenant: TenantEntity, @Param('binding') name: string) {
    return this.service.unpin(auth, tenant, name);
  }

  @Post(':binding/suspend')
  @HttpCode(200)
  @RequirePermission('bindings:suspend', { tenantParam: 'tenant' })
  suspend(@Auth() auth: AuthContext, @RouteTenant() tenant: TenantEntity, @Param('binding') name: string) {
    return this.service.setSuspended(auth, tenant, name, true);
  }

  @Post(':binding/resume')
  @HttpCode(200)
  @RequirePermission('bindings:suspend', { tenantParam: 'tenant' })
  resume(@Auth() auth: AuthContext, @RouteTenant() tenant: TenantEntity, @Param('binding') name: string) {
    return this.service.setSuspended(auth, tenant, name, false);
  }
}
