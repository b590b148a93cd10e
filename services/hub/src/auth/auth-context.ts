import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Access } from '../rbac/access.js';

/** Who is calling, as established by whichever passport strategy accepted the request. */
export type Principal =
  | { kind: 'user'; id: string; name: string; groupIds: string[] }
  | { kind: 'token'; id: string; name: string; tenantId: string | null };

/** What every service method receives first: the caller, what they may do, and the request id. */
export interface AuthContext {
  principal: Principal;
  access: Access;
  requestId: string;
}

declare module 'express' {
  interface Request {
    auth?: AuthContext;
  }
}

/** Controller parameter: the AuthContext the AccessGuard built for this request. */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = ctx.switchToHttp().getRequest<Request>().auth;
  if (!auth) throw new Error('@Auth() used on a route without @RequirePermission or @Authenticated');
  return auth;
});
