import { describe, expect, it } from 'vitest';
import { grantSchema } from './grant.js';
import { parseKindRef } from './kind-ref.js';

const apiShape = {
  name: 'prod',
  clusterSelector: { matchLabels: { env: 'prod' } },
  namespaces: ['team-a-*'],
  clusterScopedKinds: [],
  rules: [
    { expression: "object.kind != 'Deployment' || object.spec.replicas <= 5", message: 'at most 5 replicas' },
  ],
};

function firstIssue(value: unknown): string {
  const result = grantSchema.safeParse(value);
  expect(result.success).toBe(false);
  const issue = result.error!.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('grantSchema', () => {
  it('accepts the API shape unchanged', () => {
    expect(grantSchema.parse(apiShape)).toEqual(apiShape);
  });

  it('defaults cluster-scoped kinds and rules to none', () => {
    const { clusterScopedKinds, rules } = grantSchema.parse({
      name: 'g',
      clusterSelector: {},
      namespaces: [],
    });
    expect(clusterScopedKinds).toEqual([]);
    expect(rules).toEqual([]);
  });

  it('accepts kinds as group/Kind, Kind or objects', () => {
    const kinds = [
      'rbac.authorization.k8s.io/ClusterRole',
      'Namespace',
      { group: 'storage.k8s.io', kind: 'StorageClass' },
    ];
    expect(
      grantSchema.parse({ ...apiShape, clusterScopedKinds: kinds }).clusterScopedKinds.map(parseKindRef),
    ).toEqual([
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: '', kind: 'Namespace' },
      { group: 'storage.k8s.io', kind: 'StorageClass' },
    ]);
  });

  it('rejects bad fields, naming them', () => {
    expect(firstIssue({ ...apiShape, name: 'Prod' })).toMatch(/^name: "Prod" is not a DNS label/);
    expect(firstIssue({ ...apiShape, namespaces: ['team_a'] })).toMatch(/^namespaces\.0: pattern "team_a"/);
    expect(firstIssue({ ...apiShape, clusterScopedKinds: ['apps/v1/Deployment'] })).toMatch(
      /^clusterScopedKinds\.0: invalid group/,
    );
    expect(
      firstIssue({ ...apiShape, clusterSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }),
    ).toBe('clusterSelector.matchExpressions.0.values: operator In needs at least one value');
    expect(firstIssue({ ...apiShape, rules: [{ expression: 'object.kind ==', message: 'm' }] })).toMatch(
      /^rules\.0\.expression: syntax error/,
    );
    expect(firstIssue({ ...apiShape, rules: [{ expression: 'true', message: '' }] })).toMatch(
      /^rules\.0\.message/,
    );
    expect(firstIssue({ ...apiShape, namespace: ['x'] })).toMatch(/namespace/);
  });
});
