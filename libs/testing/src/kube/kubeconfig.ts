/** kubeconfig files for an instance. */
import { stringify } from 'yaml';

export interface KubeconfigSpec {
  server: string;
  /** PEM of the server's CA (HTTPS). */
  caPem?: string;
  token?: string;
  /** Impersonate this user (kubeconfig `as`). */
  as?: string;
  namespace?: string;
  name?: string;
}

export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const name = spec.name ?? 'flotilla-test';
  const cluster: Record<string, unknown> = { server: spec.server };
  if (spec.caPem) cluster['certificate-authority-data'] = Buffer.from(spec.caPem).toString('base64');
  // @kubernetes/client-node refuses plain http:// servers unless told to skip TLS verification.
  else if (spec.server.startsWith('http:')) cluster['insecure-skip-tls-verify'] = true;
  const user: Record<string, unknown> = {};
  if (spec.token) user.token = spec.token;
  if (spec.as) user.as = spec.as;
  const context: Record<string, unknown> = { cluster: name, user: name };
  if (spec.namespace) context.namespace = spec.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context }],
    'current-context': name,
    preferences: {},
  });
}
