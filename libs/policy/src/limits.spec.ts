import { describe, expect, it } from 'vitest';
import { grantSchema, type GrantInput } from './grant.js';
import { limitsForCluster } from './limits.js';

const grant = (input: Partial<GrantInput> & { name: string }) =>
  grantSchema.parse({ clusterSelector: {}, namespaces: [], ...input });

describe('limitsForCluster', () => {
  const prod = grant({
    name: 'prod',
    clusterSelector: { matchLabels: { env: 'prod' } },
    namespaces: ['team-a-*'],
    clusterScopedKinds: ['rbac.authorization.k8s.io/ClusterRole'],
    rules: [{ expression: 'true', message: 'prod rule' }],
  });
  const eu = grant({
    name: 'eu',
    clusterSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] },
    namespaces: ['team-a-*', 'shared-a'],
    clusterScopedKinds: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }, 'Namespace'],
  });

  it('unions the grants that match the cluster labels', () => {
    expect(limitsForCluster([prod, eu], { env: 'prod', region: 'eu' })).toEqual({
      grants: ['prod', 'eu'],
      namespaces: ['team-a-*', 'shared-a'],
      clusterScopedKinds: [
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
        { group: '', kind: 'Namespace' },
      ],
      rules: [{ grant: 'prod', expression: 'true', message: 'prod rule' }],
    });
  });

  it('leaves out grants whose selector does not match', () => {
    expect(limitsForCluster([prod, eu], { env: 'dev', region: 'eu' })?.grants).toEqual(['eu']);
  });

  it('is undefined when no grant covers the cluster', () => {
    expect(limitsForCluster([prod, eu], { env: 'dev' })).toBeUndefined();
    expect(limitsForCluster([], {})).toBeUndefined();
  });
});
