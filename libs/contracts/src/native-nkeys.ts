import { createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';
import { fromSeed, type KeyPair } from '@nats-io/nkeys';
import type { Authenticator } from '@nats-io/transport-node';

/** DER header of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** An nkey seed's text is base32 of 2 prefix bytes, the 32-byte Ed25519 seed and a CRC-16. */
function rawSeed(seedText: Uint8Array): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of new TextDecoder().decode(seedText)) {
    const digit = BASE32.indexOf(char);
    if (digit < 0) throw new Error('an nkey seed is base32');
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes.slice(2, 34));
}

/**
 * The same nkey pair, signing through node:crypto (OpenSSL) instead of nkeys' pure-JS
 * tweetnacl. Ed25519 is deterministic, so the signatures are byte for byte the same; they cost
 * microseconds instead of 10–20 ms each, which decides how fast a hub can mint credentials
 * for a fleet and how much CPU a fleet of agents burns reconnecting. `fromSeed` validates the
 * seed (prefix, checksum) first; the public key is derived once and kept.
 */
export function nativeKeyPair(pair: KeyPair): KeyPair {
  const privateKey: KeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, rawSeed(pair.getSeed())]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = pair.getPublicKey();
  return {
    getPublicKey: () => publicKey,
    getPrivateKey: () => pair.getPrivateKey(),
    getSeed: () => pair.getSeed(),
    sign: (input) => new Uint8Array(sign(null, input, privateKey)),
    verify: (input, signature) => verify(null, input, privateKey, signature),
    clear: () => pair.clear(),
    seal: (...args) => pair.seal(...args),
    open: (...args) => pair.open(...args),
  };
}

/** `nativeKeyPair` of a seed given as text. */
export const nativeFromSeed = (seed: string | Uint8Array): KeyPair =>
  nativeKeyPair(fromSeed(typeof seed === 'string' ? new TextEncoder().encode(seed) : seed));

const CREDS_BLOCK = /-{3,}[^\n]*-{3,}\n\s*(\S+)\s*\n\s*-{3,}[^\n]*-{3,}/g;

/** The JWT and seed of a `.creds` file. */
export function parseCreds(creds: string | Uint8Array): { jwt: string; seed: string } {
  const text = typeof creds === 'string' ? creds : new TextDecoder().decode(creds);
  const [jwt, seed] = [...text.matchAll(CREDS_BLOCK)].map((match) => match[1]!);
  if (!jwt || !seed) throw new Error('unable to parse credentials');
  return { jwt, seed };
}

/**
 * What nats.js's `jwtAuthenticator` does — answer the server's nonce with the user JWT, the
 * public nkey and a signature — with the key pair built once and signing natively.
 */
export function nativeJwtAuthenticator(jwt: string, seed: string | Uint8Array): Authenticator {
  const pair = nativeFromSeed(seed);
  return (nonce?: string) => ({
    jwt,
    nkey: pair.getPublicKey(),
    sig: nonce ? Buffer.from(pair.sign(new TextEncoder().encode(nonce))).toString('base64') : '',
  });
}

/** `credsAuthenticator` with native signing. */
export function nativeCredsAuthenticator(creds: string | Uint8Array): Authenticator {
  const { jwt, seed } = parseCreds(creds);
  return nativeJwtAuthenticator(jwt, seed);
}
