import type { KubeObject } from '@flotilla/manifests';
import type { TenantLimits } from '@flotilla/policy';
import { describe, expect, it } from 'vitest';
import { appliedAsAgent, grantedNamespaces, identityObjects, tenantIdentity } from './tenant-identity.js';

const limits: TenantLimits = {
  grants: ['g'],
  namespaces: ['team-a', 'team-a-*'],
  clusterScopedKinds: [],
  rules: [],
};
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const cm = (namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace },
});

describe('grantedNamespaces', () => {
  it('lists the granted namespaces the bundle uses or creates, once each', () => {
    const objects = [cm('team-a'), cm('team-a'), ns('team-a-dev'), cm('other'), ns('kube-system')];
    expect(grantedNamespaces(objects, limits)).toEqual(['team-a', 'team-a-dev']);
  });

  it('is empty without limits', () => {
    expect(grantedNamespaces([cm('team-a')], undefined)).toEqual([]);
  });
});

describe('appliedAsAgent', () => {
  it('is true only for Namespace objects whose name the grant covers', () => {
    expect(appliedAsAgent(ns('team-a-dev'), limits)).toBe(true);
    expect(appliedAsAgent(ns('kube-system'), limits)).toBe(false);
    expect(appliedAsAgent(cm('team-a'), limits)).toBe(false);
  });
});

describe('identityObjects', () => {
  it('binds a namespace Role per namespace and a ClusterRole only for granted kinds', () => {
    const withoutKinds = identityObjects({
      agentNamespace: 'agent',
      tenant: 't',
      namespaces: ['a', 'b'],
      clusterRules: [],
    });
    expect(withoutKinds.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}`)).toEqual([
      'ServiceAccount/agent',
      'Role/a',
      'RoleBinding/a',
      'Role/b',
      'RoleBinding/b',
    ]);
    const rules = [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['*'] }];
    const withKinds = identityObjects({
      agentNamespace: 'agent',
      tenant: 't',
      namespaces: [],
      clusterRules: rules,
    });
    expect(withKinds.map((o) => o.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']);
    expect(withKinds[1]?.rules).toEqual(rules);
    expect(withKinds[2]?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'flotilla-tenant-t', namespace: 'agent' },
    ]);
  });
});

describe('tenantIdentity', () => {
  it('is the service account user of the tenant', () => {
    expect(tenantIdentity('agent', 't')).toEqual({ user: 'system:serviceaccount:agent:flotilla-tenant-t' });
  });
});
