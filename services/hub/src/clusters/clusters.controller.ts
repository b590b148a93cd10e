import { Controller, Delete, Get, Header, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { slug } from '../common/slug.js';
import { openApi, ValidBody, ValidQuery, ZodPipe } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { RouteTenant } from '../rbac/route-tenant.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import {
  createClusterSchema,
  listClustersSchema,
  updateClusterSchema,
  type CreateClusterDto,
  type ListClustersQuery,
  type UpdateClusterDto,
} from './cluster.dto.js';
import { ClustersService } from './clusters.service.js';

const ClusterParam = () => Param('cluster', new ZodPipe(slug, 'cluster'));

@ApiTags('clusters')
@Controller('api/v1/clusters')
export class ClustersController {
  constructor(private readonly service: ClustersService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a cluster',
    description:
      'Without `tenant` the cluster is shared (platform permission); with it, the cluster belongs to that ' +
      'tenant. The answer carries `registrationToken` (shown once, expires, usable once) and `installCommand`.',
  })
  @ApiBody({ schema: openApi(createClusterSchema) })
  @RequirePermission('clusters:write', { tenantBody: 'tenant', otherwise: 'platform' })
  register(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidBody(createClusterSchema) dto: CreateClusterDto,
  ) {
    return this.service.register(auth, tenant, dto);
  }

  @Get()
  @ApiOperation({
    summary: 'List clusters; `labelSelector` uses the Kubernetes syntax (env=prod,tier in (a,b))',
  })
  @ApiQuery({ name: 'labelSelector', required: false })
  @ApiQuery({ name: 'tenant', required: false })
  @RequirePermission('clusters:read', { tenantQuery: 'tenant', otherwise: 'any' })
  list(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidQuery(listClustersSchema) query: ListClustersQuery,
  ) {
    return this.service.list(auth, tenant, query);
  }

  @Get(':cluster')
  @RequirePermission('clusters:read', { otherwise: 'any' })
  get(@Auth() auth: AuthContext, @ClusterParam() name: string) {
    return this.service.get(auth, name);
  }

  @Patch(':cluster')
  @ApiOperation({ summary: 'Replace the labels of a cluster' })
  @ApiBody({ schema: openApi(updateClusterSchema) })
  @RequirePermission('clusters:write', { otherwise: 'any' })
  relabel(
    @Auth() auth: AuthContext,
    @ClusterParam() name: string,
    @ValidBody(updateClusterSchema) dto: UpdateClusterDto,
  ) {
    return this.service.relabel(auth, name, dto);
  }

  @Delete(':cluster')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a cluster; its agent credential is revoked at once' })
  @RequirePermission('clusters:write', { otherwise: 'any' })
  async delete(@Auth() auth: AuthContext, @ClusterParam() name: string) {
    await this.service.delete(auth, name);
  }

  @Post(':cluster/registration-tokens')
  @ApiOperation({ summary: 'Issue a new one-time registration token' })
  @RequirePermission('clusters:write', { otherwise: 'any' })
  newToken(@Auth() auth: AuthContext, @ClusterParam() name: string) {
    return this.service.newToken(auth, name);
  }

  @Get(':cluster/install.yaml')
  @ApiOperation({
    summary: 'Agent install manifests',
    description:
      'Each download carries a freshly issued one-time registration token: apply it, do not store it.',
  })
  @ApiProduces('application/yaml')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @RequirePermission('clusters:write', { otherwise: 'any' })
  install(@Auth() auth: AuthContext, @ClusterParam() name: string) {
    return this.service.install(auth, name);
  }

  @Post(':cluster/rotate-credentials')
  @ApiOperation({ summary: 'Revoke the agent credential and issue a registration token to re-register with' })
  @RequirePermission('clusters:write', { otherwise: 'any' })
  rotate(@Auth() auth: AuthContext, @ClusterParam() name: string) {
    return this.service.rotateCredentials(auth, name);
  }
}
