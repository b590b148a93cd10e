import { decode, type ClaimsData } from '@nats-io/jwt';
import { fromPublic } from '@nats-io/nkeys';

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
  try {
    return fromPublic(issuer).verify(signed, signature) ? claims : null;
  } catch {
    return null;
  }
}
