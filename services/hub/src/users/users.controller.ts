import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { pageQuery, type PageQuery } from '../common/pagination.js';
import { openApi, ValidBody, ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import {
  createUserSchema,
  resetPasswordSchema,
  type CreateUserDto,
  type ResetPasswordDto,
} from './user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly service: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a local user' })
  @ApiBody({ schema: openApi(createUserSchema) })
  @RequirePermission('users:write')
  create(@Auth() auth: AuthContext, @ValidBody(createUserSchema) dto: CreateUserDto) {
    return this.service.create(auth, dto);
  }

  @Get()
  @RequirePermission('users:read')
  list(@Auth() auth: AuthContext, @ValidQuery(pageQuery) page: PageQuery) {
    return this.service.list(auth, page);
  }

  @Get(':username')
  @RequirePermission('users:read')
  get(@Auth() auth: AuthContext, @Param('username') username: string) {
    return this.service.get(auth, username);
  }

  @Post(':username/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable a user: logins and issued access tokens stop working' })
  @RequirePermission('users:write')
  disable(@Auth() auth: AuthContext, @Param('username') username: string) {
    return this.service.setDisabled(auth, username, true);
  }

  @Post(':username/enable')
  @HttpCode(200)
  @RequirePermission('users:write')
  enable(@Auth() auth: AuthContext, @Param('username') username: string) {
    return this.service.setDisabled(auth, username, false);
  }

  @Post(':username/reset-password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password; existing access tokens stop working' })
  @ApiBody({ schema: openApi(resetPasswordSchema) })
  @RequirePermission('users:write')
  async resetPassword(
    @Auth() auth: AuthContext,
    @Param('username') username: string,
    @ValidBody(resetPasswordSchema) dto: ResetPasswordDto,
  ) {
    await this.service.resetPassword(auth, username, dto);
  }
}
