import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scanForSecrets } from './secret-scan.js';

// Assembled at run time so this file itself holds no scannable key id.
const AWS_KEY_ID = ['AKIA', 'QYLPMN5HHHFPZAM2'].join('');

describe('scanForSecrets', () => {
  it('finds an AWS access key id in a ConfigMap without repeating it', async () => {
    const content = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  AWS_ACCESS_KEY_ID: ${AWS_KEY_ID}
`;
    const findings = await scanForSecrets([{ path: 'apps/cm.yaml', content }]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      path: 'apps/cm.yaml',
      line: 6,
      ruleId: '@secretlint/secretlint-rule-aws',
    });
    expect(findings[0]!.column).toBeGreaterThan(1);
    expect(JSON.stringify(findings)).not.toContain(AWS_KEY_ID);
  });

  it('finds a PEM private key hidden in a Secret’s base64 data, without the key in the finding', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const encoded = Buffer.from(privateKey).toString('base64');
    const content = `apiVersion: v1
kind: ConfigMap
metadata: { name: first }
---
apiVersion: v1
kind: Secret
metadata:
  name: tls
  namespace: web
type: Opaque
data:
  harmless: ${Buffer.from('hello').toString('base64')}
  key.pem: ${encoded}
`;
    const findings = await scanForSecrets([{ path: 'render/out.yaml', content }]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      path: 'render/out.yaml',
      line: 13,
      column: 3,
      ruleId: '@secretlint/secretlint-rule-privatekey',
      location: 'Secret web/tls data.key.pem',
    });
    const serialised = JSON.stringify(findings);
    const keyBody = privateKey.split('\n')[1]!;
    expect(serialised).not.toContain(keyBody);
    expect(serialised).not.toContain(encoded.slice(0, 40));
  });

  it('reports nothing for clean manifests and scans stringData as written', async () => {
    expect(
      await scanForSecrets([{ path: 'a.yaml', content: 'kind: ConfigMap\ndata:\n  LOG_LEVEL: info\n' }]),
    ).toEqual([]);
    const withStringData = `kind: Secret\nmetadata: { name: s }\nstringData:\n  id: ${AWS_KEY_ID}\n`;
    const findings = await scanForSecrets([{ path: 's.yaml', content: withStringData }]);
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([
      [4, '@secretlint/secretlint-rule-aws'],
    ]);
  });
});
