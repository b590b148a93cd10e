import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { Permission } from './permissions.js';

/**
 * Where a route finds the tenant its permission is checked in. Without any tenant field the
 * permission is needed at platform scope; `otherwise: 'any'` accepts it held in any tenant
 * and leaves narrowing the answer to the service (lists across tenants).
 */
export interface PermissionScope {
  tenantParam?: string;
  tenantBody?: string;
  tenantQuery?: string;
  otherwise?: 'platform' | 'any';
}

export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'permission'; permission: Permission; scope: PermissionScope };

export const ROUTE_ACCESS = 'flotilla:route-access';

/** The one way a route declares who may call it; the AccessGuard refuses routes without it. */
export const RequirePermission = (permission: Permission, scope: PermissionScope = {}) =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, { kind: 'permission', permission, scope } satisfies RouteAccess),
    ApiBearerAuth(),
    ApiExtension('x-flotilla-permission', permission),
  );

/** Any signed-in user or valid token, whatever their permissions (e.g. /me). */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, { kind: 'authenticated' } satisfies RouteAccess),
    ApiBearerAuth(),
  );

export const Public = () => SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess);
