import { describe, expect, it } from 'vitest';
import { objectId, objectKey } from './identify.js';
import { clusterScopedKindsFromCrds, isClusterScoped } from './scope.js';
import type { KubeObject } from './types.js';

describe('isClusterScoped', () => {
  it.each([
    ['Namespace', ''],
    ['ClusterRole', 'rbac.authorization.k8s.io'],
    ['CustomResourceDefinition', 'apiextensions.k8s.io'],
    ['StorageClass', 'storage.k8s.io'],
    ['ValidatingWebhookConfiguration', 'admissionregistration.k8s.io'],
    ['APIService', 'apiregistration.k8s.io'],
    ['PersistentVolume', ''],
  ])('knows built-in %s is cluster-scoped', (kind, group) => {
    expect(isClusterScoped(kind, group)).toBe(true);
  });

  it('treats namespaced built-ins and unknown custom kinds as namespaced unless told otherwise', () => {
    expect(isClusterScoped('Role', 'rbac.authorization.k8s.io')).toBe(false);
    expect(isClusterScoped('ClusterRole', 'example.com')).toBe(false);
    expect(isClusterScoped('ClusterIssuer', 'cert-manager.io')).toBe(false);
    expect(
      isClusterScoped('ClusterIssuer', 'cert-manager.io', new Set(['cert-manager.io/ClusterIssuer'])),
    ).toBe(true);
  });

  it('reads scopes from CRDs', () => {
    const crd = (kind: string, scope: string): KubeObject => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${kind.toLowerCase()}s.example.com` },
      spec: { group: 'example.com', scope, names: { kind } },
    });
    expect([...clusterScopedKindsFromCrds([crd('Global', 'Cluster'), crd('Local', 'Namespaced')])]).toEqual([
      'example.com/Global',
    ]);
  });
});

describe('objectId / objectKey', () => {
  it('splits group and version and builds group/kind/namespace/name', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w', namespace: 'n' },
    };
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
    expect(objectId(deployment)).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace: 'n',
      name: 'w',
    });
    expect(objectKey(deployment)).toBe('apps/Deployment/n/w');
    expect(objectKey(namespace)).toBe('/Namespace//n');
    expect(objectKey(objectId(namespace))).toBe('/Namespace//n');
  });
});
