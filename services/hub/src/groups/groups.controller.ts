import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { pageQuery, type PageQuery } from '../common/pagination.js';
import { ValidQuery } from '../common/validation.js';
import { RequirePermission } from '../rbac/require-permission.js';
import { GroupsService } from './groups.service.js';

@ApiTags('groups')
@Controller('api/v1/groups')
export class GroupsController {
  constructor(private readonly service: GroupsService) {}

  @Get()
  @ApiOperation({ summary: 'Groups known from single sign-on' })
  @RequirePermission('groups:read')
  list(@Auth() auth: AuthContext, @ValidQuery(pageQuery) page: PageQuery) {
    return this.service.list(auth, page);
  }
}
