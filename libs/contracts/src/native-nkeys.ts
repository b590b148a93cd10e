import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { fromSeed, type KeyPair } from '@nats-io/nkeys';
import type { Authenticator } from '@nats-io/transport-node';

/** DER header of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** CRC-16/XMODEM, as nkeys checksums its keys. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32(bytes: Uint8Array): string {
  let text = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += BASE32[(value >>> bits) & 31];
    }
  }
  return bits > 0 ? text + BASE32[(value << (5 - bits)) & 31] : text;
}

/** Base32 (RFC 4648, no padding) as nkeys writes keys; empty for a character outside it. */
function base32Decode(text: string): Uint8Array {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = BASE32.indexOf(char);
    if (digit < 0) return new Uint8Array();
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

/** An nkey seed's text is base32 of 2 prefix bytes, the 32-byte Ed25519 seed and a CRC-16. */
function decodeSeed(seedText: Uint8Array): { prefix: number; seed: Buffer } {
  const bytes = base32Decode(new TextDecoder().decode(seedText));
  if (bytes.length !== 36) throw new Error('not an nkey seed');
  // The first 5 bits say "seed"; the next 5 are the key type's prefix byte (operator, account, user…).
  const prefix = ((bytes[0]! & 7) << 5) | ((bytes[1]! & 0xf8) >> 3);
  return { prefix, seed: Buffer.from(bytes.subarray(2, 34)) };
}

/** The public nkey text: base32 of the type's prefix byte, the Ed25519 public key and a CRC-16. */
function publicKeyText(prefix: number, privateKey: KeyObject): string {
  const raw = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url');
  const body = Buffer.concat([Buffer.from([prefix]), raw]);
  const crc = crc16(body);
  return base32(Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]));
}

/**
 * The same nkey pair, signing through node:crypto (OpenSSL) instead of nkeys' pure-JS
 * tweetnacl. Ed25519 is deterministic, so the signatures are byte for byte the same; they cost
 * microseconds instead of 10–20 ms each, which decides how fast a hub can mint credentials
 * for a fleet and how much CPU a fleet of agents burns reconnecting. `fromSeed` validates the
 * seed (prefix, checksum) first; the public key is derived natively too, once.
 */
export function nativeKeyPair(pair: KeyPair): KeyPair {
  const { prefix, seed } = decodeSeed(pair.getSeed());
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = publicKeyText(prefix, privateKey);
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

/**
 * Whether `signature` over `data` is valid for the public nkey `publicKey` (any key type), as
 * nkeys' `fromPublic(key).verify` answers, natively. A malformed key or checksum answers false.
 */
export function nativeVerify(publicKey: string, data: Uint8Array, signature: Uint8Array): boolean {
  const bytes = base32Decode(publicKey);
  if (bytes.length !== 35 || crc16(bytes.subarray(0, 33)) !== (bytes[33]! | (bytes[34]! << 8))) return false;
  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes.subarray(1, 33)).toString('base64url') },
      format: 'jwk',
    });
    return verify(null, data, key, signature);
  } catch {
    return false; // not a point OpenSSL accepts, or a signature of the wrong length
  }
}

/** nkeys' prefix bytes: a seed's first 5 bits, a user key's type. */
const SEED_PREFIX = 18 << 3;
const USER_PREFIX = 20 << 3;

/** A new user nkey pair (what nkeys' `createUser` makes), generated and derived natively. */
export function nativeCreateUser(): KeyPair {
  const body = Buffer.concat([
    Buffer.from([SEED_PREFIX | (USER_PREFIX >> 5), (USER_PREFIX & 31) << 3]),
    randomBytes(32),
  ]);
  const crc = crc16(body);
  return nativeFromSeed(base32(Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])])));
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
