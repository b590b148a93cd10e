import { describe, expect, it } from 'vitest';
import { ExitCode } from '../errors.js';
import { loginMethod, loginRequest } from './auth.js';
import { auditRequests } from './audit.js';
import { bindingBody, bindingRequests, revisionTarget } from './binding.js';
import { clusterRequests, relabel } from './cluster.js';
import { grantBody, grantRequests } from './grant.js';
import { repoBody, repoRequests } from './repo.js';
import { roleRequests } from './role.js';
import { roleBindingRequests } from './rolebinding.js';
import { statusRequest } from './status.js';
import { parseQuotas, tenantRequests } from './tenant.js';
import { tokenRequests } from './token.js';
import { userRequests } from './user.js';

const usage = expect.objectContaining({ exitCode: ExitCode.usage });

describe('identity requests', () => {
  it('login and the choice of login method', () => {
    expect(loginRequest('admin', 'pw')).toEqual({
      method: 'POST',
      path: '/api/v1/auth/login',
      body: { username: 'admin', password: 'pw' },
    });
    expect(loginMethod({ token: 't' })).toBe('token');
    expect(loginMethod({ sso: true })).toBe('sso');
    expect(loginMethod({})).toBe('password');
    expect(() => loginMethod({ token: 't', sso: true })).toThrow(usage);
    expect(() => loginMethod({ username: 'u', token: 't' })).toThrow(/choose one/);
  });

  it('tenants: defaults the display name, quotas as numbers, delete --force as a query', () => {
    expect(tenantRequests.create('team-a', { quotas: parseQuotas('clusters=5,bindings=20') })).toEqual({
      method: 'POST',
      path: '/api/v1/tenants',
      body: { slug: 'team-a', displayName: 'team-a', quotas: { clusters: 5, bindings: 20 } },
    });
    expect(() => parseQuotas('clusters=many')).toThrow(usage);
    expect(() => tenantRequests.update('team-a', {})).toThrow(usage);
    expect(tenantRequests.update('team-a', { displayName: 'A' })).toMatchObject({
      method: 'PATCH',
      path: '/api/v1/tenants/team-a',
    });
    expect(tenantRequests.delete('team-a', true)).toEqual({
      method: 'DELETE',
      path: '/api/v1/tenants/team-a',
      query: { force: true },
    });
    expect(tenantRequests.delete('team-a', false).query).toEqual({ force: undefined });
  });

  it('users', () => {
    expect(userRequests.create('alice', 'secret-123456', { email: 'a@x.io' })).toEqual({
      method: 'POST',
      path: '/api/v1/users',
      body: { username: 'alice', password: 'secret-123456', displayName: undefined, email: 'a@x.io' },
    });
    expect(userRequests.disable('alice')).toMatchObject({
      method: 'POST',
      path: '/api/v1/users/alice/disable',
    });
    expect(userRequests.resetPassword('alice', 'p')).toMatchObject({
      path: '/api/v1/users/alice/reset-password',
      body: { password: 'p' },
    });
  });

  it('roles and role bindings at platform and tenant scope', () => {
    expect(
      roleRequests.create('deployer', { permissions: 'bindings:read, bindings:sync', tenant: 't' }),
    ).toMatchObject({
      body: { name: 'deployer', permissions: ['bindings:read', 'bindings:sync'], tenant: 't' },
    });
    expect(() => roleRequests.create('x', { permissions: ' , ' })).toThrow(usage);
    expect(roleRequests.delete('deployer', 't')).toEqual({
      method: 'DELETE',
      path: '/api/v1/roles/deployer',
      query: { tenant: 't' },
    });
    expect(roleBindingRequests.create('tenant-admin', { user: 'alice' }, 'team-a')).toEqual({
      method: 'POST',
      path: '/api/v1/tenants/team-a/role-bindings',
      body: { subject: { kind: 'user', name: 'alice' }, role: 'tenant-admin' },
    });
    expect(roleBindingRequests.create('platform-admin', { group: 'ops' }).path).toBe('/api/v1/role-bindings');
    expect(() => roleBindingRequests.create('r', { user: 'a', group: 'b' })).toThrow(usage);
    expect(() => roleBindingRequests.create('r', {})).toThrow(/exactly one subject/);
    expect(roleBindingRequests.delete('abc', 'team-a').path).toBe('/api/v1/tenants/team-a/role-bindings/abc');
  });

  it('tokens and audit', () => {
    expect(tokenRequests.create('ci', { tenant: 'team-a', role: 'tenant-viewer', expiresIn: '30d' })).toEqual(
      {
        method: 'POST',
        path: '/api/v1/tokens',
        body: { name: 'ci', tenant: 'team-a', role: 'tenant-viewer', expiresIn: '30d' },
      },
    );
    const now = Date.parse('2026-01-31T12:00:00Z');
    expect(
      auditRequests.list({ tenant: 'team-a', actor: 'user:alice', since: '2h', limit: '10' }, now),
    ).toEqual({
      method: 'GET',
      path: '/api/v1/audit',
      query: {
        tenant: 'team-a',
        actor: 'user:alice',
        action: undefined,
        outcome: undefined,
        since: '2026-01-31T10:00:00.000Z',
        until: undefined,
        limit: 10,
      },
    });
    expect(() => auditRequests.list({ limit: 'all' })).toThrow(usage);
  });
});

describe('fleet requests', () => {
  it('clusters: shared unless a tenant is given; label edits merge', () => {
    expect(clusterRequests.add('edge-1', { labels: 'env=prod,region=eu' })).toEqual({
      method: 'POST',
      path: '/api/v1/clusters',
      body: { name: 'edge-1', labels: { env: 'prod', region: 'eu' }, tenant: null },
    });
    expect(clusterRequests.add('edge-2', { tenant: 'team-a' }).body).toEqual({
      name: 'edge-2',
      labels: {},
      tenant: 'team-a',
    });
    expect(clusterRequests.list({ selector: 'env in (a,b)' }).query).toEqual({
      tenant: undefined,
      labelSelector: 'env in (a,b)',
    });
    expect(relabel({ env: 'prod', legacy: 'yes' }, ['env=staging', 'legacy-', 'zone=b'])).toEqual({
      env: 'staging',
      zone: 'b',
    });
    expect(clusterRequests.installYaml('edge-1').path).toBe('/api/v1/clusters/edge-1/install.yaml');
    expect(clusterRequests.rotateCredentials('edge-1')).toMatchObject({
      method: 'POST',
      path: '/api/v1/clusters/edge-1/rotate-credentials',
    });
  });

  it('grants from flags, flags over a file', () => {
    const body = grantBody(
      'prod',
      {},
      { selector: 'env=prod', namespaces: 'team-a-*,shared', rule: ['object.kind != "Secret"'] },
    );
    expect(grantRequests.create('team-a', body)).toEqual({
      method: 'POST',
      path: '/api/v1/tenants/team-a/grants',
      body: {
        name: 'prod',
        clusterSelector: { matchLabels: { env: 'prod' } },
        namespaces: ['team-a-*', 'shared'],
        clusterScopedKinds: [],
        rules: [{ expression: 'object.kind != "Secret"', message: 'must satisfy: object.kind != "Secret"' }],
      },
    });
    const fromFile = grantBody(
      'x',
      { namespaces: ['a'], rules: [{ expression: 'true', message: 'm' }] },
      { fromFile: 'g.yaml', namespaces: 'b' },
    );
    expect(fromFile).toMatchObject({
      name: 'x',
      namespaces: ['b'],
      rules: [{ expression: 'true', message: 'm' }],
    });
    expect(() => grantBody('x', {}, {})).toThrow(usage);
  });

  it('repositories: credentials only when given, poll default 60s', () => {
    const body = repoBody(
      'apps',
      {},
      { url: 'https://git.example.com/a.git' },
      { username: 'bot', password: 'pw' },
      [],
    );
    expect(repoRequests.create('team-a', body)).toEqual({
      method: 'POST',
      path: '/api/v1/tenants/team-a/repositories',
      body: {
        name: 'apps',
        url: 'https://git.example.com/a.git',
        credentials: { username: 'bot', password: 'pw' },
        pollInterval: '60s',
        verification: null,
      },
    });
    expect(repoBody('apps', { url: 'u' }, { pollInterval: '5m' }, null, ['KEY'])).toEqual({
      name: 'apps',
      url: 'u',
      pollInterval: '5m',
      verification: { trustedKeys: ['KEY'] },
    });
    expect(() => repoBody('apps', {}, {}, null, [])).toThrow(usage);
    expect(repoRequests.refresh('team-a', 'apps')).toEqual({
      method: 'POST',
      path: '/api/v1/tenants/team-a/repositories/apps/refresh',
      body: undefined,
    });
  });

  it('bindings: body, sync policy switches and lifecycle paths', () => {
    const body = bindingBody(
      'web',
      {},
      {
        repo: 'apps',
        path: 'web/prod',
        selector: 'env=prod',
        namespace: 'web',
        prune: false,
        selfHeal: true,
      },
    );
    expect(bindingRequests.create('team-a', body)).toEqual({
      method: 'POST',
      path: '/api/v1/tenants/team-a/bindings',
      body: {
        name: 'web',
        repository: 'apps',
        ref: 'main',
        path: 'web/prod',
        clusterSelector: { matchLabels: { env: 'prod' } },
        namespace: 'web',
        syncPolicy: { automated: true, prune: false, selfHeal: true },
      },
    });
    const manual = bindingBody(
      'web',
      { repository: 'r', namespace: 'n', syncPolicy: { selfHeal: false } },
      { manual: true, prune: true, selfHeal: true },
    );
    expect(manual.syncPolicy).toEqual({ automated: false, prune: true, selfHeal: false });
    expect(() => bindingBody('web', {}, { repo: 'apps' })).toThrow(/--namespace/);
    expect(bindingRequests.rollback('team-a', 'web', '3').body).toEqual({ revision: 3 });
    expect(bindingRequests.rollback('team-a', 'web', 'a1b2c3d').body).toEqual({ revision: 'a1b2c3d' });
    expect(revisionTarget('12')).toBe(12);
    for (const verb of ['sync', 'suspend', 'resume', 'unpin', 'preview'] as const) {
      expect(bindingRequests[verb]('team-a', 'web')).toMatchObject({
        method: 'POST',
        path: `/api/v1/tenants/team-a/bindings/web/${verb}`,
      });
    }
    expect(bindingRequests.history('team-a', 'web').path).toBe('/api/v1/tenants/team-a/bindings/web/history');
    expect(bindingRequests.preview('team-a', 'web').path).toBe('/api/v1/tenants/team-a/bindings/web/preview');
  });

  it('fleet status filters', () => {
    expect(statusRequest({ tenant: 'team-a', selector: 'env=prod', state: 'OutOfSync' })).toEqual({
      method: 'GET',
      path: '/api/v1/fleet/status',
      query: { tenant: 'team-a', binding: undefined, labelSelector: 'env=prod', state: 'OutOfSync' },
    });
    expect(() => statusRequest({ state: 'Broken' })).toThrow(usage);
  });
});
