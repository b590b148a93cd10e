import { describe, expect, it } from 'vitest';
import { decodeRegistrationToken, encodeRegistrationToken } from './registration-token.js';

const payload = {
  cluster: '0b7f6c1e-2f4a-4c1b-9d3e-1a2b3c4d5e6f',
  secret: 's3cr3t-s3cr3t-s3cr3t',
  jwt: 'eyJhbGciOi.payload.sig',
  seed: `SU${'A'.repeat(56)}`,
};

describe('registration token', () => {
  it('round-trips as one flreg_ value', () => {
    const token = encodeRegistrationToken(payload);
    expect(token).toMatch(/^flreg_[A-Za-z0-9_-]+$/);
    expect(decodeRegistrationToken(` ${token}\n`)).toEqual(payload);
  });

  it.each([
    ['flt_abc', /not a Flotilla registration token/],
    ['flreg_%%%', /damaged/],
    [`flreg_${Buffer.from('{"cluster":"a"}').toString('base64url')}`, /damaged/],
  ])('refuses %s without echoing it', (token, message) => {
    let error: Error | undefined;
    try {
      decodeRegistrationToken(token);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain(token);
  });
});
