import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { Authenticated } from '../rbac/require-permission.js';
import { Auth, type AuthContext } from './auth-context.js';

@ApiTags('auth')
@Controller('api/v1/me')
export class MeController {
  constructor(private readonly tenants: TenantsRepository) {}

  @Get()
  @ApiOperation({ summary: 'Who am I' })
  @Authenticated()
  async me(@Auth() auth: AuthContext) {
    const { principal } = auth;
    if (principal.kind === 'user') return { kind: 'user', name: principal.name };
    const slug = principal.tenantId
      ? (await this.tenants.slugsById([principal.tenantId])).get(principal.tenantId)
      : null;
    return { kind: 'token', name: principal.name, tenant: slug ?? null };
  }

  @Get('permissions')
  @ApiOperation({ summary: 'What I may do: platform-wide, and per tenant' })
  @Authenticated()
  async permissions(@Auth() auth: AuthContext) {
    const perTenant = auth.access.tenantPermissions();
    const slugs = await this.tenants.slugsById([...perTenant.keys()]);
    return {
      platform: auth.access.platformPermissions(),
      tenants: [...perTenant]
        .filter(([id]) => slugs.has(id))
        .map(([id, permissions]) => ({ tenant: slugs.get(id)!, permissions }))
        .sort((a, b) => a.tenant.localeCompare(b.tenant)),
    };
  }
}
