import { describe, expect, it } from 'vitest';
import { ManifestError } from './errors.js';
import { BINDING_LABEL, normalise, OWNER_ANNOTATION, TENANT_LABEL } from './normalise.js';
import type { KubeObject, SourcedObject } from './types.js';

const ownership = { bindingId: 'b-123', tenant: 'team-a', bindingName: 'web' };
const options = { namespace: 'team-a-prod', ownership };
const sourced = (object: KubeObject, documentIndex = 0): SourcedObject => ({
  object,
  source: { path: 'm.yaml', documentIndex, line: 1 },
});

describe('normalise', () => {
  it('fills the target namespace only into namespaced objects without one', () => {
    const [cm, other, ns, role] = normalise(
      [
        sourced({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }),
        sourced({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'elsewhere' } }),
        sourced({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a-x', namespace: 'junk' } }),
        sourced({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } }),
      ],
      options,
    );
    expect(cm!.object.metadata.namespace).toBe('team-a-prod');
    expect(other!.object.metadata.namespace).toBe('elsewhere');
    expect(ns!.object.metadata).not.toHaveProperty('namespace');
    expect(role!.object.metadata).not.toHaveProperty('namespace');
  });

  it('treats kinds of cluster-scoped CRDs in the same set as cluster-scoped', () => {
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'clusterissuers.cert-manager.io' },
      spec: { group: 'cert-manager.io', scope: 'Cluster', names: { kind: 'ClusterIssuer' } },
    };
    const issuer: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'x' },
    };
    const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const [, normalIssuer, normalWidget] = normalise(
      [sourced(crd), sourced(issuer), sourced(widget)],
      options,
    );
    expect(normalIssuer!.object.metadata).not.toHaveProperty('namespace');
    expect(normalWidget!.object.metadata.namespace).toBe('team-a-prod');
  });

  it('sets ownership labels and annotation, overriding values claimed by the manifest', () => {
    const [result] = normalise(
      [
        sourced({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', labels: { app: 'x', [TENANT_LABEL]: 'team-b' }, annotations: { note: 'n' } },
        }),
      ],
      options,
    );
    expect(result!.object.metadata.labels).toEqual({
      app: 'x',
      [BINDING_LABEL]: 'b-123',
      [TENANT_LABEL]: 'team-a',
    });
    expect(result!.object.metadata.annotations).toEqual({ note: 'n', [OWNER_ANNOTATION]: 'team-a/web' });
  });

  it('adds ownership to labels and annotations left empty (null)', () => {
    const [result] = normalise(
      [
        sourced({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', labels: null, annotations: null },
        }),
      ],
      options,
    );
    expect(result!.object.metadata.labels).toEqual({ [BINDING_LABEL]: 'b-123', [TENANT_LABEL]: 'team-a' });
    expect(result!.object.metadata.annotations).toEqual({ [OWNER_ANNOTATION]: 'team-a/web' });
  });

  it('drops status and server-populated metadata, keeps stringData, leaves the input alone', () => {
    const input: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 's',
        uid: 'u',
        resourceVersion: '5',
        generation: 2,
        creationTimestamp: 't',
        managedFields: [],
      },
      stringData: { password: 'p' },
      status: { phase: 'x' },
    };
    const [result] = normalise([sourced(input)], options);
    expect(Object.keys(result!.object).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'stringData']);
    expect(Object.keys(result!.object.metadata).sort()).toEqual([
      'annotations',
      'labels',
      'name',
      'namespace',
    ]);
    expect(result!.object.stringData).toEqual({ password: 'p' });
    expect(input.metadata.uid).toBe('u');
    expect(input.status).toEqual({ phase: 'x' });
  });

  it('refuses objects that become duplicates once the namespace is filled in', () => {
    const run = () =>
      normalise(
        [
          sourced({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, 0),
          sourced(
            { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'team-a-prod' } },
            1,
          ),
        ],
        options,
      );
    expect(run).toThrow(ManifestError);
    expect(run).toThrow(/document 1.*duplicate object \/ConfigMap\/team-a-prod\/a/);
  });

  it('refuses invalid options, naming them', () => {
    expect(() => normalise([], { namespace: 'Bad', ownership })).toThrow(
      /namespace: "Bad" is not a DNS label/,
    );
    expect(() => normalise([], { ...options, ownership: { ...ownership, tenant: '' } })).toThrow(
      /ownership.tenant: must not be empty/,
    );
  });
});
