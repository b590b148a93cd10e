import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../rbac/require-permission.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly service: WebhooksService) {}

  @Post(':provider/:repositoryId')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Git push webhook (github, gitlab, gitea)',
    description:
      'Authenticated by the repository’s webhook secret (HMAC signature for GitHub and Gitea, ' +
      'X-Gitlab-Token for GitLab), checked before the body is parsed. A push to a followed ref ' +
      'triggers a refresh in the background.',
  })
  @Public()
  receive(
    @Param('provider') provider: string,
    @Param('repositoryId') repositoryId: string,
    @Req() req: Request,
  ) {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return this.service.receive(provider, repositoryId, req.headers, body);
  }
}
