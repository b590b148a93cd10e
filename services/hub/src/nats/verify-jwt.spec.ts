import { describe, expect, it } from 'vitest';
import { NatsAuthority } from './nats-authority.js';
import { verifiedClaims } from './verify-jwt.js';

describe('verifiedClaims', () => {
  const authority = NatsAuthority.generate();
  const stranger = NatsAuthority.generate();

  it("accepts the operator's own account JWT", async () => {
    const claims = verifiedClaims(await authority.accountJwt(), authority.operatorPublicKey);
    expect(claims?.sub).toBe(authority.accountPublicKey);
  });

  it('rejects another issuer, a forged issuer claim and a tampered payload', async () => {
    const foreign = await stranger.accountJwt();
    expect(verifiedClaims(foreign, authority.operatorPublicKey)).toBeNull();

    const [header, payload, signature] = foreign.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...claims, iss: authority.operatorPublicKey }),
    ).toString('base64url');
    expect(verifiedClaims(`${header}.${forgedPayload}.${signature}`, authority.operatorPublicKey)).toBeNull();

    expect(verifiedClaims('a.b', authority.operatorPublicKey)).toBeNull();
    expect(verifiedClaims('not.a.jwt', authority.operatorPublicKey)).toBeNull();
  });
});
