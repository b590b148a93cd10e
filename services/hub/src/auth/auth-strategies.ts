import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import type { Principal } from './auth-context.js';

/**
 * The hub's passport instance (one per app, not passport's global, so several hubs can share
 * a process in tests). Request strategies registered here are tried in order on every
 * protected request; each must `fail()` on credentials it does not recognise so the next one
 * gets its turn, and `success(principal)` with a Principal when it accepts them.
 */
@Injectable()
export class AuthStrategies {
  readonly passport = new passport.Passport();
  private readonly requestStrategies: string[] = [];

  register(name: string, strategy: passport.Strategy): void {
    this.passport.use(name, strategy);
    this.requestStrategies.push(name);
  }

  authenticate(req: Request, res: Response): Promise<Principal | null> {
    if (!this.requestStrategies.length) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const middleware = this.passport.authenticate(
        this.requestStrategies,
        { session: false },
        (error: unknown, principal: Principal | false) =>
          error ? reject(error) : resolve(principal || null),
      ) as (req: Request, res: Response, next: (error?: unknown) => void) => void;
      middleware(req, res, (error) => (error ? reject(error) : resolve(null)));
    });
  }
}

export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}
