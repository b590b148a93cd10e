import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { TenantEntity } from '../tenants/tenant.entity.js';

/** The tenant the AccessGuard resolved from the route's tenantParam/Body/Query (undefined if none named). */
export const RouteTenant = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): TenantEntity | undefined =>
    ctx.switchToHttp().getRequest<Request>().tenant,
);
