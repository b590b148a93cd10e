import { describe, expect, it } from 'vitest';
import { sortForApply, sortForPrune } from './sort.js';
import type { KubeObject } from './types.js';

const make = (apiVersion: string, kind: string, name = kind.toLowerCase()): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name },
});

describe('sortForApply', () => {
  const deployment = make('apps/v1', 'Deployment');
  const widget = make('example.com/v1', 'Widget');
  const crd = make('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  const service = make('v1', 'Service');
  const configMap = make('v1', 'ConfigMap');
  const roleBinding = make('rbac.authorization.k8s.io/v1', 'RoleBinding');
  const role = make('rbac.authorization.k8s.io/v1', 'Role');
  const serviceAccount = make('v1', 'ServiceAccount');
  const storageClass = make('storage.k8s.io/v1', 'StorageClass');
  const clusterRoleBinding = make('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding');
  const clusterRole = make('rbac.authorization.k8s.io/v1', 'ClusterRole');
  const namespace = make('v1', 'Namespace');
  const ingress = make('networking.k8s.io/v1', 'Ingress');
  const webhook = make('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration');
  const ordered = [
    crd,
    namespace,
    clusterRole,
    clusterRoleBinding,
    storageClass,
    serviceAccount,
    role,
    roleBinding,
    configMap,
    service,
    deployment,
    ingress,
    webhook,
    widget,
  ];

  it('puts CRDs, namespaces, cluster-scoped, namespaced by dependency, custom resources last', () => {
    expect(sortForApply([...ordered].reverse())).toEqual(ordered);
  });

  it('keeps input order within a class', () => {
    const a = make('v1', 'ConfigMap', 'a');
    const b = make('v1', 'Secret', 'b');
    const c = make('v1', 'ConfigMap', 'c');
    expect(sortForApply([c, b, a]).map((o) => o.metadata.name)).toEqual(['c', 'b', 'a']);
  });

  it('treats a custom kind known to be cluster-scoped as a custom resource, still after built-ins', () => {
    const issuer = make('cert-manager.io/v1', 'ClusterIssuer');
    expect(sortForApply([issuer, deployment], ['cert-manager.io/ClusterIssuer'])).toEqual([
      deployment,
      issuer,
    ]);
  });

  it('orders unknown built-in cluster-scoped kinds before namespaced ones', () => {
    const runtimeClass = make('node.k8s.io/v1', 'RuntimeClass');
    expect(sortForApply([deployment, runtimeClass])).toEqual([runtimeClass, deployment]);
  });

  it('prunes in reverse order', () => {
    expect(sortForPrune([namespace, widget, crd, deployment])).toEqual([widget, deployment, namespace, crd]);
  });
});
