import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

const COOKIE = 'flotilla_oidc';
const MAX_AGE_SECONDS = 600;

/**
 * The few fields an OIDC login must carry from the redirect to the callback (PKCE verifier,
 * state, where to send the result), kept in one HMAC-signed, short-lived, HttpOnly cookie so
 * hub replicas stay stateless. openid-client's passport strategy keeps its part in
 * `req.session`; this object plays that role and writes itself to the cookie on change.
 */
export function attachCookieSession(req: Request, res: Response, key: Uint8Array): Record<string, unknown> {
  const stored = readCookie(req.headers.cookie ?? '', key);
  const persist = () => {
    const payload = Buffer.from(
      JSON.stringify({ ...data, exp: Date.now() + MAX_AGE_SECONDS * 1000 }),
    ).toString('base64url');
    res.setHeader(
      'set-cookie',
      `${COOKIE}=${payload}.${sign(payload, key)}; Path=/api/v1/auth/oidc; Max-Age=${MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax`,
    );
  };
  const data: Record<string, unknown> = stored ?? {};
  const session = new Proxy(data, {
    set(target, property, value) {
      target[property as string] = value;
      persist();
      return true;
    },
    deleteProperty(target, property) {
      delete target[property as string];
      persist();
      return true;
    },
  });
  (req as Request & { session: Record<string, unknown> }).session = session;
  return session;
}

function readCookie(header: string, key: Uint8Array): Record<string, unknown> | null {
  const raw = header
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  const [payload, signature] = raw?.split('.') ?? [];
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    return typeof data.exp === 'number' && data.exp > Date.now() ? data : null;
  } catch {
    return null;
  }
}

function sign(payload: string, key: Uint8Array): string {
  return createHmac('sha256', key).update(`oidc-session:${payload}`).digest('base64url');
}
