import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { pageQuery } from '../common/pagination.js';
import { slug } from '../common/slug.js';
import { ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { RouteTenant } from '../rbac/route-tenant.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { AuditQueryService } from './audit-query.service.js';

export const auditQuerySchema = pageQuery
  .extend({
    tenant: slug.optional(),
    actor: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(200).optional(),
    outcome: z.enum(['success', 'denied', 'failure']).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuerySchema>;

@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly service: AuditQueryService) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail, newest first; tenant admins see their tenants only' })
  @ApiQuery({ name: 'tenant', required: false })
  @ApiQuery({ name: 'actor', required: false, description: 'name, or kind:name (user:alice, token:ci)' })
  @ApiQuery({ name: 'action', required: false, description: 'e.g. tenants:create' })
  @ApiQuery({ name: 'outcome', required: false, enum: ['success', 'denied', 'failure'] })
  @ApiQuery({ name: 'since', required: false })
  @ApiQuery({ name: 'until', required: false })
  @RequirePermission('audit:read', { tenantQuery: 'tenant', otherwise: 'any' })
  list(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidQuery(auditQuerySchema) query: AuditQuery,
  ) {
    return this.service.list(auth, tenant, query);
  }

  @Get('verify')
  @ApiOperation({ summary: 'Re-check the hash chain: detects modified, deleted or truncated events' })
  @RequirePermission('audit:verify')
  verify() {
    return this.service.verify();
  }
}
