import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption (AES-256-GCM) for secrets the hub keeps at rest: NATS account
 * keys, Git credentials. Every sealed value names the key that sealed it, so keys can be
 * rotated: new values use the first key, old ones still open with the key they name, and
 * `reseal` moves a value to the current key.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  private readonly currentKeyId: string;

  /** @param keys base64 32-byte keys, current first. */
  constructor(keys: string[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    this.keys = new Map(
      keys.map((encoded, index) => {
        const key = Buffer.from(encoded, 'base64');
        if (key.length !== 32) throw new Error(`encryption key #${index + 1} is not 32 bytes of base64`);
        return [keyId(key), key];
      }),
    );
    this.currentKeyId = keyId(Buffer.from(keys[0], 'base64'));
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    // The context (e.g. "repository:<id>") is authenticated, so a sealed value copied into
    // another row does not open there.
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      this.currentKeyId,
      iv.toString('base64'),
      body.toString('base64'),
      cipher.getAuthTag().toString('base64'),
    ].join(':');
  }

  open(sealed: string, context: string): string {
    const [version, id, iv, body, tag] = sealed.split(':');
    const key = this.keys.get(id ?? '');
    if (version !== 'v1' || !key || !iv || !body || !tag) {
      throw new Error('sealed value is malformed or its key is not configured');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  needsReseal(sealed: string): boolean {
    return sealed.split(':')[1] !== this.currentKeyId;
  }

  reseal(sealed: string, context: string): string {
    return this.seal(this.open(sealed, context), context);
  }
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}
