import { nativeVerify } from '@flotilla/contracts';
import { decode, type ClaimsData } from '@nats-io/jwt';

/**
 * The claims of `jwt` if it carries a valid signature by `issuer`, else null.
 * (`decode` from @nats-io/jwt only parses.)
 */
export function verifiedClaims<T>(jwt: string, issuer: string): ClaimsData<T> | null {
  const parts = jwt.split('.');
  if (parts.length !== 3) return null;
  let claims: ClaimsData<T>;
  try {
    claims = decode<T>(jwt);
  } catch {
    return null;
  }
  if (claims.iss !== issuer) return null;
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  return nativeVerify(issuer, signed, signature) ? claims : null;
}
