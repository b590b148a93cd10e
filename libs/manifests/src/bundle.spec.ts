import { describe, expect, it } from 'vitest';
import { createBundle, readBundle } from './bundle.js';
import { BundleError } from './errors.js';
import { generateSigningKeyPair, signBundle, verifyBundle } from './sign.js';
import type { KubeObject } from './types.js';

const commit = 'a'.repeat(40);
const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'team-a', labels: { app: 'web', tier: 'front' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
};
const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } };
const base = { bindingId: 'b-1', tenant: 'team-a', commit };

/** The same object with every mapping's keys written in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reverseKeys(item)]),
  );
}

describe('createBundle', () => {
  it('writes canonical JSON: sorted keys, no whitespace', () => {
    const { bytes } = createBundle({ ...base, objects: [namespace] });
    expect(Buffer.from(bytes).toString()).toBe(
      `{"bindingId":"b-1","commit":"${commit}","formatVersion":1,"objects":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}],"tenant":"team-a"}`,
    );
  });

  it('gives the same digest whatever the key order or object order', () => {
    const first = createBundle({ ...base, objects: [deployment, namespace] });
    const second = createBundle({
      ...base,
      objects: [reverseKeys(namespace), reverseKeys(deployment)] as KubeObject[],
    });
    expect(second.digest).toBe(first.digest);
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.bundle.objects.map((o) => o.kind)).toEqual(['Namespace', 'Deployment']);
  });

  it('gives a different digest when any value changes', () => {
    const changed = { ...deployment, spec: { ...(deployment.spec as object), replicas: 3 } };
    expect(createBundle({ ...base, objects: [changed] }).digest).not.toBe(
      createBundle({ ...base, objects: [deployment] }).digest,
    );
  });

  it('refuses duplicate objects, whose order would make the digest arbitrary', () => {
    expect(() => createBundle({ ...base, objects: [namespace, { ...namespace }] })).toThrow(
      /duplicate object \/Namespace\/\/team-a in bundle/,
    );
  });

  it('refuses a malformed commit id', () => {
    expect(() => createBundle({ ...base, commit: 'main', objects: [] })).toThrow(/invalid bundle at commit/);
  });
});

describe('readBundle', () => {
  it('round-trips a created bundle', () => {
    const { bytes, bundle } = createBundle({ ...base, objects: [deployment] });
    expect(readBundle(bytes)).toEqual(bundle);
  });

  it('names the bad field', () => {
    const bad = Buffer.from(
      JSON.stringify({ ...base, formatVersion: 1, objects: [{ kind: 'X', metadata: {} }] }),
    );
    expect(() => readBundle(bad)).toThrow(BundleError);
    expect(() => readBundle(bad)).toThrow(/objects\.0\.apiVersion/);
    expect(() => readBundle(Buffer.from('{nope'))).toThrow(/not JSON/);
  });
});

describe('signBundle / verifyBundle', () => {
  const keys = generateSigningKeyPair();
  const { bytes, digest } = createBundle({ ...base, objects: [deployment, namespace] });
  const signature = signBundle(bytes, keys.privateKey);

  it('verifies an untouched bundle', () => {
    expect(verifyBundle(bytes, digest, signature, keys.publicKey)).toBe(true);
  });

  it('accepts keys as base64 DER as well as PEM', () => {
    const der = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
    const derSignature = signBundle(bytes, der(keys.privateKey));
    expect(verifyBundle(bytes, digest, derSignature, der(keys.publicKey))).toBe(true);
  });

  it('fails when one byte changes', () => {
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 3] ^= 1;
    expect(verifyBundle(tampered, digest, signature, keys.publicKey)).toBe(false);
  });

  it('fails for another digest, another key or a damaged signature', () => {
    const other = generateSigningKeyPair();
    expect(verifyBundle(bytes, `sha256:${'0'.repeat(64)}`, signature, keys.publicKey)).toBe(false);
    expect(verifyBundle(bytes, digest, signature, other.publicKey)).toBe(false);
    expect(verifyBundle(bytes, digest, signBundle(bytes, other.privateKey), keys.publicKey)).toBe(false);
    expect(verifyBundle(bytes, digest, signature.slice(4), keys.publicKey)).toBe(false);
  });

  it('refuses malformed or non-Ed25519 keys', () => {
    expect(() => verifyBundle(bytes, digest, signature, 'not a key')).toThrow(/invalid public key/);
    expect(() => signBundle(bytes, keys.publicKey)).toThrow(/invalid private key/);
  });
});
