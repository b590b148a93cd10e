import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './tls.js';

describe('self-signed certificate', () => {
  it('is a valid CA certificate for 127.0.0.1, ::1 and localhost', () => {
    const cert = new X509Certificate(selfSignedCertificate().cert);
    expect(cert.ca).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now() + 365 * 86400_000);
  });
});
