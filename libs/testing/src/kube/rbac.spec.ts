import { describe, expect, it } from 'vitest';
import {
  Attributes,
  defaultRbacObjects,
  GR_CLUSTERROLEBINDINGS,
  GR_CLUSTERROLES,
  GR_ROLEBINDINGS,
  GR_ROLES,
  RbacAuthorizer,
} from './rbac.js';
import { ObjectStore } from './store.js';
import { KubeObject, UserInfo } from './types.js';

const RBAC = 'rbac.authorization.k8s.io/v1';

function setup(objects: { gr: string; object: KubeObject }[]) {
  const store = new ObjectStore();
  for (const { gr, object } of [...defaultRbacObjects(), ...objects]) store.put(gr, structuredClone(object));
  return new RbacAuthorizer(store);
}

const tenant: UserInfo = {
  name: 'system:serviceaccount:team-a:tenant',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
};
const can = (
  authz: RbacAuthorizer,
  a: Omit<Attributes, 'user' | 'resourceRequest'>,
  user: UserInfo = tenant,
) => authz.authorize({ user, resourceRequest: true, ...a }).allowed;

const editInTeamA = {
  gr: GR_ROLEBINDINGS,
  object: {
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name: 'tenant-edit', namespace: 'team-a' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [{ kind: 'ServiceAccount', name: 'tenant' }],
  },
};

describe('RBAC authorizer', () => {
  it('confines a namespaced binding to its namespace', () => {
    const authz = setup([editInTeamA]);
    expect(
      can(authz, { verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'team-a' }),
    ).toBe(true);
    expect(
      can(authz, { verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'team-b' }),
    ).toBe(false);
    expect(can(authz, { verb: 'list', apiGroup: 'apps', resource: 'deployments' })).toBe(false);
    expect(
      can(authz, {
        verb: 'create',
        apiGroup: 'rbac.authorization.k8s.io',
        resource: 'rolebindings',
        namespace: 'team-a',
      }),
    ).toBe(false);
    expect(
      authz.authorize({
        user: tenant,
        verb: 'get',
        resourceRequest: true,
        apiGroup: '',
        resource: 'pods',
        namespace: 'team-b',
      }).reason,
    ).toBe(
      'User "system:serviceaccount:team-a:tenant" cannot get resource "pods" in API group "" in the namespace "team-b"',
    );
  });

  it('lets system:masters do anything and authenticated users read discovery', () => {
    const authz = setup([]);
    expect(
      can(
        authz,
        { verb: 'delete', apiGroup: 'x', resource: 'y' },
        { name: 'root', groups: ['system:masters'] },
      ),
    ).toBe(true);
    expect(
      authz.authorize({ user: tenant, verb: 'get', resourceRequest: false, path: '/apis/apps/v1' }).allowed,
    ).toBe(true);
    expect(
      authz.authorize({ user: tenant, verb: 'get', resourceRequest: false, path: '/metrics' }).allowed,
    ).toBe(false);
  });

  it('matches resource names, subresources, groups and users', () => {
    const authz = setup([
      {
        gr: GR_ROLES,
        object: {
          apiVersion: RBAC,
          kind: 'Role',
          metadata: { name: 'one-cm', namespace: 'ns' },
          rules: [
            {
              apiGroups: [''],
              resources: ['configmaps'],
              resourceNames: ['allowed'],
              verbs: ['get', 'update'],
            },
            { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] },
          ],
        },
      },
      {
        gr: GR_ROLEBINDINGS,
        object: {
          apiVersion: RBAC,
          kind: 'RoleBinding',
          metadata: { name: 'b', namespace: 'ns' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'one-cm' },
          subjects: [
            { kind: 'User', name: 'alice' },
            { kind: 'Group', name: 'ops' },
          ],
        },
      },
    ]);
    const alice = { name: 'alice', groups: ['system:authenticated'] };
    const bob = { name: 'bob', groups: ['ops', 'system:authenticated'] };
    expect(
      can(
        authz,
        { verb: 'get', apiGroup: '', resource: 'configmaps', namespace: 'ns', name: 'allowed' },
        alice,
      ),
    ).toBe(true);
    expect(
      can(
        authz,
        { verb: 'get', apiGroup: '', resource: 'configmaps', namespace: 'ns', name: 'other' },
        alice,
      ),
    ).toBe(false);
    expect(can(authz, { verb: 'list', apiGroup: '', resource: 'configmaps', namespace: 'ns' }, alice)).toBe(
      false,
    );
    expect(
      can(
        authz,
        { verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns' },
        bob,
      ),
    ).toBe(true);
    expect(
      can(authz, { verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: 'ns' }, bob),
    ).toBe(false);
  });

  it('aggregates cluster roles by label', () => {
    const authz = setup([
      {
        gr: GR_CLUSTERROLES,
        object: {
          apiVersion: RBAC,
          kind: 'ClusterRole',
          metadata: {
            name: 'widgets-edit',
            labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' },
          },
          rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['*'] }],
        },
      },
      editInTeamA,
    ]);
    expect(
      can(authz, { verb: 'create', apiGroup: 'example.com', resource: 'widgets', namespace: 'team-a' }),
    ).toBe(true);
  });

  it('finds the rules a user cannot grant (escalation check)', () => {
    const authz = setup([editInTeamA]);
    expect(
      authz.uncovered(tenant, 'team-a', [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
      ]),
    ).toBeUndefined();
    expect(authz.uncovered(tenant, 'team-a', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }])).toEqual(
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    );
    expect(
      authz.uncovered(tenant, 'team-b', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]),
    ).toBeDefined();
  });

  it('applies cluster role bindings everywhere', () => {
    const authz = setup([
      {
        gr: GR_CLUSTERROLEBINDINGS,
        object: {
          apiVersion: RBAC,
          kind: 'ClusterRoleBinding',
          metadata: { name: 'viewers' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace: 'team-a' }],
        },
      },
    ]);
    expect(can(authz, { verb: 'list', apiGroup: 'apps', resource: 'deployments' })).toBe(true);
    expect(can(authz, { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'x' })).toBe(false);
  });
});
