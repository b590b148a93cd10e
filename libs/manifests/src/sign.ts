import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { digestOf } from './digest.js';

/** An Ed25519 key pair as PEM strings (PKCS#8 private, SPKI public), ready to store. */
export interface SigningKeyPair {
  privateKey: string;
  publicKey: string;
}

export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Signs a bundle: the Ed25519 signature (base64) over its digest string, so a verifier
 * that already knows the digest checks the signature without re-reading anything else.
 * `privateKey` is PKCS#8 PEM or base64 DER.
 */
export function signBundle(bytes: Uint8Array, privateKey: string): string {
  const key = readKey(privateKey, 'private');
  return sign(null, Buffer.from(digestOf(bytes), 'utf8'), key).toString('base64');
}

/**
 * True only when `bytes` hash to `digest` (compared in constant time) and `signature` is a
 * valid Ed25519 signature of that digest by `publicKey` (SPKI PEM or base64 DER).
 * Throws only for a malformed public key, which is a configuration error, not a bad bundle.
 */
export function verifyBundle(
  bytes: Uint8Array,
  digest: string,
  signature: string,
  publicKey: string,
): boolean {
  const key = readKey(publicKey, 'public');
  const actual = Buffer.from(digestOf(bytes), 'utf8');
  const claimed = Buffer.from(digest, 'utf8');
  if (actual.length !== claimed.length || !timingSafeEqual(actual, claimed)) return false;
  return verify(null, claimed, key, Buffer.from(signature, 'base64'));
}

function readKey(text: string, kind: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    const pem = text.includes('-----BEGIN');
    const der = Buffer.from(text, 'base64');
    key =
      kind === 'private'
        ? createPrivateKey(pem ? text : { key: der, format: 'der', type: 'pkcs8' })
        : createPublicKey(pem ? text : { key: der, format: 'der', type: 'spki' });
  } catch (error) {
    throw new TypeError(`invalid ${kind} key: ${(error as Error).message}`, { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new TypeError(`invalid ${kind} key: expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}
