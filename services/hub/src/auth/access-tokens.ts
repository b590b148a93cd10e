import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';

export const JWT_KEY = Symbol('JWT_KEY');
export const JWT_ISSUER = 'flotilla-hub';
export const JWT_AUDIENCE = 'flotilla-api';
const ALGORITHM = 'HS256';

export interface AccessTokenClaims {
  userId: string;
  sessionVersion: number;
}

/** Short-lived access tokens (JWT) the hub signs for signed-in users. */
@Injectable()
export class AccessTokens {
  constructor(
    @Inject(JWT_KEY) private readonly key: Uint8Array,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  async issue(user: { id: string; username: string; sessionVersion: number }) {
    const expiresIn = this.config.FLOTILLA_JWT_TTL_SECONDS;
    const accessToken = await new SignJWT({ name: user.username, sv: user.sessionVersion })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .sign(this.key);
    return { accessToken, tokenType: 'Bearer' as const, expiresIn };
  }

  /** Null for anything not signed by us with HS256 for this audience and still valid. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sv !== 'number' || !payload.sub) return null;
      return { userId: payload.sub, sessionVersion: payload.sv };
    } catch {
      return null;
    }
  }
}
