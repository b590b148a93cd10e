import type { KubeObject } from '@flotilla/manifests';
import { describe, expect, it } from 'vitest';
import { checkObjects } from './check.js';
import type { TenantLimits } from './limits.js';

const limits: TenantLimits = {
  grants: ['prod'],
  namespaces: ['team-a-*'],
  clusterScopedKinds: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }],
  rules: [],
};
const make = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  extra = {},
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace && { namespace }) },
  ...extra,
});
const subjects = (...objects: KubeObject[]) => objects.map((object) => ({ object }));
const deployment = (replicas: number, labels?: Record<string, string>) => ({
  ...make('apps/v1', 'Deployment', 'web', 'team-a-prod', { spec: { replicas } }),
  metadata: { name: 'web', namespace: 'team-a-prod', ...(labels && { labels }) },
});

describe('checkObjects', () => {
  it('passes objects inside allowed namespaces and listed cluster-scoped kinds', () => {
    const verdict = checkObjects(
      subjects(
        make('v1', 'ConfigMap', 'c', 'team-a-prod'),
        make('v1', 'Namespace', 'team-a-new'),
        make('rbac.authorization.k8s.io/v1', 'ClusterRole', 'r'),
      ),
      limits,
    );
    expect(verdict).toEqual({ passed: true });
  });

  it('refuses namespaced objects outside the patterns or without a namespace, with the source', () => {
    const source = { path: 'app/cm.yaml', documentIndex: 2, line: 7 };
    const verdict = checkObjects(
      [
        { object: make('v1', 'ConfigMap', 'c', 'kube-system'), source },
        { object: make('v1', 'ConfigMap', 'd') },
      ],
      limits,
    );
    expect(verdict).toEqual({
      passed: false,
      findings: [
        {
          object: '/ConfigMap/kube-system/c',
          source,
          rule: 'namespace',
          message: 'namespace "kube-system" is not allowed on this cluster (allowed: team-a-*)',
        },
        { object: '/ConfigMap//d', rule: 'namespace', message: 'namespaced object has no namespace' },
      ],
    });
  });

  it('allows a Namespace object only when its name matches a pattern (or the kind is listed)', () => {
    const namespace = make('v1', 'Namespace', 'kube-public');
    expect(checkObjects(subjects(namespace), limits)).toEqual({
      passed: false,
      findings: [
        {
          object: '/Namespace//kube-public',
          rule: 'namespace',
          message: 'Namespace "kube-public" does not match an allowed pattern (allowed: team-a-*)',
        },
      ],
    });
    const listed = { ...limits, clusterScopedKinds: [{ group: '', kind: 'Namespace' }] };
    expect(checkObjects(subjects(namespace), listed)).toEqual({ passed: true });
  });

  it('refuses cluster-scoped kinds that are not listed, including CRD-defined ones', () => {
    const crd = make(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
      'globals.example.com',
      undefined,
      {
        spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Global' } },
      },
    );
    const verdict = checkObjects(
      subjects(
        make('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'b'),
        crd,
        make('example.com/v1', 'Global', 'g'),
      ),
      limits,
    );
    expect(verdict.passed).toBe(false);
    expect(!verdict.passed && verdict.findings.map((f) => [f.rule, f.message])).toEqual([
      [
        'cluster-scoped-kind',
        'cluster-scoped kind rbac.authorization.k8s.io/ClusterRoleBinding is not allowed on this cluster (allowed: rbac.authorization.k8s.io/ClusterRole)',
      ],
      [
        'cluster-scoped-kind',
        'cluster-scoped kind apiextensions.k8s.io/CustomResourceDefinition is not allowed on this cluster (allowed: rbac.authorization.k8s.io/ClusterRole)',
      ],
      [
        'cluster-scoped-kind',
        'cluster-scoped kind example.com/Global is not allowed on this cluster (allowed: rbac.authorization.k8s.io/ClusterRole)',
      ],
    ]);
  });

  it('uses cluster-scoped kinds known from elsewhere', () => {
    const issuer = make('cert-manager.io/v1', 'ClusterIssuer', 'x', 'team-a-prod');
    expect(checkObjects(subjects(issuer), limits).passed).toBe(true);
    expect(
      checkObjects(subjects(issuer), limits, { extraClusterScoped: ['cert-manager.io/ClusterIssuer'] }),
    ).toMatchObject({
      passed: false,
      findings: [{ rule: 'cluster-scoped-kind' }],
    });
  });

  it('evaluates CEL rules per object, reporting the rule message and grant', () => {
    const withRules: TenantLimits = {
      ...limits,
      rules: [
        {
          grant: 'prod',
          expression: "object.kind != 'Deployment' || object.spec.replicas <= 5",
          message: 'at most 5 replicas',
        },
        {
          grant: 'labels',
          expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
          message: 'team label required',
        },
      ],
    };
    expect(checkObjects(subjects(deployment(3, { team: 'a' })), withRules)).toEqual({ passed: true });
    expect(checkObjects(subjects(deployment(8)), withRules)).toEqual({
      passed: false,
      findings: [
        {
          object: 'apps/Deployment/team-a-prod/web',
          rule: 'cel',
          message: 'at most 5 replicas',
          grant: 'prod',
        },
        {
          object: 'apps/Deployment/team-a-prod/web',
          rule: 'cel',
          message: 'team label required',
          grant: 'labels',
        },
      ],
    });
  });

  it('counts evaluation errors and rules that do not compile as failures', () => {
    const withRules: TenantLimits = {
      ...limits,
      rules: [
        { grant: 'g', expression: 'object.spec.replicas <= 5', message: 'replicas capped' },
        { grant: 'g', expression: 'object.kind ==', message: 'broken' },
      ],
    };
    const verdict = checkObjects(subjects(make('v1', 'ConfigMap', 'c', 'team-a-x')), withRules);
    expect(!verdict.passed && verdict.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^replicas capped \(evaluation failed: .*spec/),
      expect.stringMatching(/^broken \(rule is invalid: syntax error/),
    ]);
  });

  it('refuses every object when no grant covers the cluster', () => {
    const verdict = checkObjects(
      subjects(make('v1', 'ConfigMap', 'c', 'team-a-x'), make('v1', 'Namespace', 'team-a-y')),
      undefined,
    );
    expect(verdict).toEqual({
      passed: false,
      findings: [
        {
          object: '/ConfigMap/team-a-x/c',
          rule: 'no-grant',
          message: 'no grant of this tenant covers this cluster',
        },
        {
          object: '/Namespace//team-a-y',
          rule: 'no-grant',
          message: 'no grant of this tenant covers this cluster',
        },
      ],
    });
  });
});
