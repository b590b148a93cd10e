import type { AssignedBinding } from '@flotilla/contracts';
import { limitsForCluster, type Grant } from '@flotilla/policy';
import { describe, expect, it } from 'vitest';
import { desiredSet, toWireLimits } from './desired-set.js';
import { policyOnCluster, targets } from './placement.js';

const grant: Grant = {
  name: 'prod',
  clusterSelector: { matchLabels: { env: 'prod' } },
  namespaces: ['team-a-*', 'shared'],
  clusterScopedKinds: ['rbac.authorization.k8s.io/ClusterRole', 'Namespace'],
  rules: [{ expression: 'true', message: 'always' }],
};
const binding = (bindingId: string): AssignedBinding => ({
  bindingId,
  tenant: 'team-a',
  name: bindingId,
  bundleDigest: `sha256:${'0'.repeat(64)}`,
  commit: 'a'.repeat(40),
  namespace: 'team-a-web',
  syncPolicy: { automated: true, prune: true, selfHeal: true },
  suspended: false,
});

describe('desiredSet', () => {
  it('puts limits in wire form: sorted namespaces, group/Kind strings, rule expressions', () => {
    expect(toWireLimits(limitsForCluster([grant], { env: 'prod' })!)).toEqual({
      namespaces: ['shared', 'team-a-*'],
      clusterScopedKinds: ['Namespace', 'rbac.authorization.k8s.io/ClusterRole'],
      rules: ['true'],
    });
  });

  it('gives the same document whatever order the bindings come in', () => {
    const limits = limitsForCluster([grant], { env: 'prod' })!;
    const one = desiredSet([
      { binding: binding('b'), limits },
      { binding: binding('a'), limits },
    ]);
    const two = desiredSet([
      { binding: binding('a'), limits },
      { binding: binding('b'), limits },
    ]);
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    expect(one.bindings.map((b) => b.bindingId)).toEqual(['a', 'b']);
    expect(Object.keys(one.tenants)).toEqual(['team-a']);
  });
});

describe('placement', () => {
  const cluster = (tenantId: string | null, env: string) => ({
    id: 'c',
    name: 'c',
    tenantId,
    labels: { env },
  });
  const placed = { tenantId: 't1', clusterSelector: { matchLabels: { env: 'prod' } } };

  it('targets matching shared clusters and the tenant’s own, never another tenant’s', () => {
    expect(targets(placed, cluster(null, 'prod'))).toBe(true);
    expect(targets(placed, cluster('t1', 'prod'))).toBe(true);
    expect(targets(placed, cluster('t2', 'prod'))).toBe(false);
    expect(targets(placed, cluster(null, 'dev'))).toBe(false);
  });

  it('refuses everything on a cluster no grant covers', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'team-a-web' } };
    expect(policyOnCluster([object], [grant], cluster(null, 'prod')).passed).toBe(true);
    const refused = policyOnCluster([object], [grant], cluster(null, 'dev'));
    expect(refused.passed ? [] : refused.findings.map((f) => f.rule)).toEqual(['no-grant']);
  });
});
