import { createHash, randomBytes } from 'node:crypto';

export function generateRegistrationSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The secret is 256 random bits: sha256 is enough, a slow hash buys nothing. */
export function hashRegistrationSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
