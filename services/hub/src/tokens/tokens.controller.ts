import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { openApi, UuidParam, ValidBody, ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { RouteTenant } from '../rbac/route-tenant.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import {
  createTokenSchema,
  listTokensSchema,
  type CreateTokenDto,
  type ListTokensQuery,
} from './token.dto.js';
import { TokensService } from './tokens.service.js';

@ApiTags('tokens')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly service: TokensService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API token',
    description:
      'With `tenant` the token can only ever act in that tenant. `role` binds a role to the token at once ' +
      '(only roles whose permissions you hold). `expiresIn` is like 90m, 12h or 30d; omitted = no expiry. ' +
      'The answer carries `secret` (flt_…) — shown this once, never again. Use it as `Authorization: Bearer <secret>`.',
  })
  @ApiBody({ schema: openApi(createTokenSchema) })
  @RequirePermission('tokens:write', { tenantBody: 'tenant' })
  create(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidBody(createTokenSchema) dto: CreateTokenDto,
  ) {
    return this.service.create(auth, tenant, dto);
  }

  @Get()
  @ApiQuery({ name: 'tenant', required: false })
  @RequirePermission('tokens:read', { tenantQuery: 'tenant', otherwise: 'any' })
  list(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidQuery(listTokensSchema) query: ListTokensQuery,
  ) {
    return this.service.list(auth, tenant, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token' })
  @RequirePermission('tokens:write', { otherwise: 'any' })
  async revoke(@Auth() auth: AuthContext, @UuidParam('id') id: string) {
    await this.service.revoke(auth, id);
  }
}
