import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const oldKey = SecretBox.generateKey();
  const newKey = SecretBox.generateKey();

  it('opens what it sealed, in the same context only', () => {
    const box = new SecretBox([oldKey]);
    const sealed = box.seal('s3cret', 'repository:1');
    expect(sealed).not.toContain('s3cret');
    expect(box.open(sealed, 'repository:1')).toBe('s3cret');
    expect(() => box.open(sealed, 'repository:2')).toThrow();
  });

  it('detects tampering', () => {
    const box = new SecretBox([oldKey]);
    const parts = box.seal('s3cret', 'c').split(':');
    parts[3] = Buffer.from('S3cret').toString('base64');
    expect(() => box.open(parts.join(':'), 'c')).toThrow();
  });

  it('rotates keys: old values still open and can be resealed with the new key', () => {
    const sealedWithOld = new SecretBox([oldKey]).seal('value', 'c');
    const rotated = new SecretBox([newKey, oldKey]);
    expect(rotated.open(sealedWithOld, 'c')).toBe('value');
    expect(rotated.needsReseal(sealedWithOld)).toBe(true);
    const resealed = rotated.reseal(sealedWithOld, 'c');
    expect(rotated.needsReseal(resealed)).toBe(false);
    expect(() => new SecretBox([oldKey]).open(resealed, 'c')).toThrow(/key is not configured/);
  });

  it('refuses keys of the wrong size', () => {
    expect(() => new SecretBox([Buffer.from('short').toString('base64')])).toThrow(/#1 is not 32 bytes/);
  });
});
