import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { pageQuery, type PageQuery } from '../common/pagination.js';
import { openApi, ValidBody, ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { RouteTenant } from '../rbac/route-tenant.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { RepositoriesService } from './repositories.service.js';
import {
  createRepositorySchema,
  updateRepositorySchema,
  type CreateRepositoryDto,
  type UpdateRepositoryDto,
} from './repository.dto.js';

@ApiTags('repositories')
@Controller('api/v1/tenants/:tenant/repositories')
export class RepositoriesController {
  constructor(private readonly service: RepositoriesService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a Git repository',
    description:
      'HTTPS only (plain http only for FLOTILLA_GIT_ALLOWED_HOSTS). Credentials are encrypted at rest and never ' +
      'returned. The answer carries `webhookSecret` — shown this once — for the GitHub/GitLab/Gitea webhooks ' +
      'listed in `webhooks`.',
  })
  @ApiBody({ schema: openApi(createRepositorySchema) })
  @RequirePermission('repositories:write', { tenantParam: 'tenant' })
  create(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @ValidBody(createRepositorySchema) dto: CreateRepositoryDto,
  ) {
    return this.service.create(auth, tenant, dto);
  }

  @Get()
  @RequirePermission('repositories:read', { tenantParam: 'tenant' })
  list(@RouteTenant() tenant: TenantEntity, @ValidQuery(pageQuery) page: PageQuery) {
    return this.service.list(tenant, page);
  }

  @Get(':repository')
  @RequirePermission('repositories:read', { tenantParam: 'tenant' })
  get(@RouteTenant() tenant: TenantEntity, @Param('repository') name: string) {
    return this.service.get(tenant, name);
  }

  @Patch(':repository')
  @ApiBody({ schema: openApi(updateRepositorySchema) })
  @RequirePermission('repositories:write', { tenantParam: 'tenant' })
  update(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @Param('repository') name: string,
    @ValidBody(updateRepositorySchema) dto: UpdateRepositoryDto,
  ) {
    return this.service.update(auth, tenant, name, dto);
  }

  @Delete(':repository')
  @HttpCode(204)
  @RequirePermission('repositories:write', { tenantParam: 'tenant' })
  async remove(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity,
    @Param('repository') name: string,
  ) {
    await this.service.remove(auth, tenant, name);
  }

  @Post(':repository/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fetch now and run every binding of the repository through the checks' })
  @RequirePermission('bindings:sync', { tenantParam: 'tenant' })
  refresh(@RouteTenant() tenant: TenantEntity, @Param('repository') name: string) {
    return this.service.refresh(tenant, name);
  }
}
