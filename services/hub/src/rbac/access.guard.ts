import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Actor, actorOf } from '../audit/audit.service.js';
import { AuthStrategies } from '../auth/auth-strategies.js';
import type { AuthContext } from '../auth/auth-context.js';
import { Denial, Problem } from '../common/problem.js';
import { slugPattern } from '../common/slug.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { AccessResolver } from './access-resolver.js';
import type { Permission } from './permissions.js';
import { PermissionScope, ROUTE_ACCESS, RouteAccess } from './require-permission.js';

declare module 'express' {
  interface Request {
    /** The tenant named by the route, once the guard has checked the caller may act in it. */
    tenant?: TenantEntity;
  }
}

/**
 * The single access check of the hub. Every route declares @Public, @Authenticated or
 * @RequirePermission; undeclared routes are refused. Tenants the caller cannot see answer 404
 * exactly as tenants that do not exist; every refusal is audited (by the ProblemFilter).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly strategies: AuthStrategies,
    private readonly resolver: AccessResolver,
    private readonly tenants: TenantsRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<Request>();
    if (!route) {
      this.logger.error(`${req.method} ${req.route?.path as string} declares no access rule; refusing`);
      throw new Problem('forbidden', 'this route declares no access rule');
    }
    if (route.kind === 'public') return true;

    const principal = await this.strategies.authenticate(req, context.switchToHttp().getResponse<Response>());
    const action = route.kind === 'permission' ? route.permission : 'auth:authenticate';
    if (!principal) {
      throw new Problem('unauthenticated', 'missing, invalid, expired or revoked credentials').deny(
        this.denial({ kind: 'anonymous', name: 'anonymous' }, req, action, null),
      );
    }
    const auth = await this.resolver.resolve(principal, req.id as string);
    req.auth = auth;
    if (route.kind === 'authenticated') return true;
    await this.authorize(auth, req, route.permission, route.scope);
    return true;
  }

  private async authorize(auth: AuthContext, req: Request, permission: Permission, scope: PermissionScope) {
    const named = this.namedTenant(req, scope);
    if (!named) {
      const allowed =
        scope.otherwise === 'any' ? auth.access.canAnywhere(permission) : auth.access.can(permission, null);
      if (allowed) return;
      throw new Problem('forbidden', `requires permission ${permission}`).deny(
        this.denial(actorOf(auth), req, permission, null),
      );
    }
    const tenant = await this.tenants.findBySlug(named.slug);
    if (tenant && auth.access.can(permission, tenant.id)) {
      req.tenant = tenant;
      return;
    }
    if (!tenant && auth.access.can(permission, null)) throw Problem.notFound(`tenant "${named.slug}"`);
    const denial = this.denial(actorOf(auth), req, permission, tenant);
    if (tenant && auth.access.can('tenants:read', tenant.id)) {
      throw new Problem('forbidden', `requires permission ${permission} in tenant ${tenant.slug}`).deny(
        denial,
      );
    }
    throw Problem.notFound(`tenant "${named.slug}"`).deny(denial);
  }

  private namedTenant(req: Request, scope: PermissionScope): { slug: string } | null {
    const [field, value] = scope.tenantParam
      ? [scope.tenantParam, req.params[scope.tenantParam]]
      : scope.tenantBody
        ? [scope.tenantBody, (req.body as Record<string, unknown> | undefined)?.[scope.tenantBody]]
        : scope.tenantQuery
          ? [scope.tenantQuery, req.query[scope.tenantQuery]]
          : [undefined, undefined];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || !slugPattern.test(value)) {
      throw Problem.validation([{ field: field!, message: 'must be a tenant slug (DNS label)' }]);
    }
    return { slug: value };
  }

  private denial(actor: Actor, req: Request, action: string, tenant: TenantEntity | null): Denial {
    return {
      actor,
      requestId: req.id as string,
      action,
      target: `${req.method} ${req.originalUrl.split('?')[0]}`,
      tenant: tenant && { id: tenant.id, slug: tenant.slug },
    };
  }
}
