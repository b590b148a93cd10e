import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { RouteTenant } from '../rbac/route-tenant.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { fleetStates, fleetStatusSchema, type FleetStatusQuery } from './fleet.dto.js';
import { FleetService } from './fleet.service.js';

@ApiTags('fleet')
@Controller('api/v1/fleet')
export class FleetController {
  constructor(private readonly service: FleetService) {}

  @Get('status')
  @ApiOperation({
    summary:
      'Every binding on every cluster that reported it, with sync and health, plus per binding × commit rollups',
  })
  @ApiQuery({ name: 'tenant', required: false })
  @ApiQuery({ name: 'binding', required: false })
  @ApiQuery({ name: 'labelSelector', required: false })
  @ApiQuery({ name: 'state', required: false, enum: fleetStates })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @RequirePermission('bindings:read', { tenantQuery: 'tenant', otherwise: 'any' })
  status(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidQuery(fleetStatusSchema) query: FleetStatusQuery,
  ) {
    return this.service.status(auth, tenant, query);
  }
}
