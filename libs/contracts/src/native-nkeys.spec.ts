import { fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser, fromSeed } from '@nats-io/nkeys';
import { jwtAuthenticator } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import {
  nativeCreateUser,
  nativeCredsAuthenticator,
  nativeFromSeed,
  nativeKeyPair,
  nativeVerify,
  parseCreds,
} from './native-nkeys.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('native nkeys', () => {
  it('signs exactly as nkeys does, and verifies', () => {
    for (const pair of [createOperator(), createAccount(), createUser(), createUser()]) {
      const native = nativeKeyPair(pair);
      const input = bytes(`payload for ${pair.getPublicKey()}`);
      expect(native.getPublicKey()).toBe(pair.getPublicKey());
      expect(Buffer.from(native.sign(input))).toEqual(Buffer.from(pair.sign(input)));
      expect(native.verify(input, pair.sign(input))).toBe(true);
      expect(native.verify(bytes('another payload'), pair.sign(input))).toBe(false);
    }
  });

  it('refuses a seed whose checksum is broken', () => {
    const seed = new TextDecoder().decode(createUser().getSeed());
    const middle = seed.length >> 1;
    const broken = seed.slice(0, middle) + (seed[middle] === 'A' ? 'B' : 'A') + seed.slice(middle + 1);
    expect(() => nativeFromSeed(broken)).toThrow();
  });

  it('answers a nonce as nats.js jwtAuthenticator does', async () => {
    const user = createUser();
    const creds = new TextDecoder().decode(fmtCreds('header.claims.signature', user));
    expect(parseCreds(creds)).toEqual({
      jwt: 'header.claims.signature',
      seed: new TextDecoder().decode(user.getSeed()),
    });
    const reference = jwtAuthenticator('header.claims.signature', user.getSeed());
    expect(nativeCredsAuthenticator(creds)('a-server-nonce')).toEqual(reference('a-server-nonce'));
  });

  it('names a creds text without its blocks as unparseable', () => {
    expect(() => parseCreds('no credentials here')).toThrow(/unable to parse credentials/);
  });
});

describe('nativeVerify', () => {
  it('accepts what the key signed and nothing else', () => {
    const signer = createAccount();
    const input = bytes('claims');
    const signature = signer.sign(input);
    expect(nativeVerify(signer.getPublicKey(), input, signature)).toBe(true);
    expect(nativeVerify(signer.getPublicKey(), bytes('other claims'), signature)).toBe(false);
    expect(nativeVerify(createAccount().getPublicKey(), input, signature)).toBe(false);
  });

  it('answers false for a malformed key or checksum', () => {
    const signer = createUser();
    const key = signer.getPublicKey();
    const signature = signer.sign(bytes('x'));
    const middle = key.length >> 1;
    const broken = key.slice(0, middle) + (key[middle] === 'A' ? 'B' : 'A') + key.slice(middle + 1);
    expect(nativeVerify(broken, bytes('x'), signature)).toBe(false);
    expect(nativeVerify('not-a-key', bytes('x'), signature)).toBe(false);
  });
});

describe('nativeCreateUser', () => {
  it('makes distinct, valid user keys that nkeys reads back the same', () => {
    const first = nativeCreateUser();
    const second = nativeCreateUser();
    expect(first.getPublicKey()).toMatch(/^U[A-Z2-7]{55}$/);
    expect(new TextDecoder().decode(first.getSeed())).toMatch(/^SU[A-Z2-7]{56}$/);
    expect(first.getPublicKey()).not.toBe(second.getPublicKey());
    const reread = fromSeed(first.getSeed());
    expect(reread.getPublicKey()).toBe(first.getPublicKey());
    const input = bytes('nonce');
    expect(nativeVerify(first.getPublicKey(), input, reread.sign(input))).toBe(true);
  });
});
