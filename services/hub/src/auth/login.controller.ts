import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { openApi, ValidBody } from '../common/validation.js';
import { Public } from '../rbac/require-permission.js';
import { LoginService } from './login.service.js';

const loginSchema = z
  .object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) })
  .strict();

@ApiTags('auth')
@Controller('api/v1/auth')
export class LoginController {
  constructor(private readonly service: LoginService) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Password login → short-lived access token (JWT); rate-limited per username and client address',
  })
  @ApiBody({ schema: openApi(loginSchema) })
  @Public()
  login(@Req() req: Request, @ValidBody(loginSchema) dto: z.infer<typeof loginSchema>) {
    return this.service.login({ ...dto, clientIp: req.ip ?? 'unknown', requestId: req.id as string });
  }
}
