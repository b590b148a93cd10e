import { createBundle } from '@flotilla/manifests';
import type { TestHub } from './harness.js';

/**
 * The role × endpoint matrix, as data. Every route the hub serves must have a row (the spec
 * fails on a route without one). A module adding endpoints appends rows to `endpoints`.
 */
export const callers = [
  'anonymous',
  'expired-token',
  'revoked-token',
  'expired-jwt',
  'platform-admin',
  'tenant-admin',
  'tenant-operator',
  'tenant-viewer',
  'tenant-token',
  'other-tenant-admin',
  'no-role',
] as const;
export type Caller = (typeof callers)[number];

/** The fixture every row runs against: `team-a` is the tenant the tenant-* callers belong to. */
export const TENANT = 'team-a';

export interface Prepared {
  path: string;
  body?: unknown;
}

export interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Express route template, as the hub registers it. */
  route: string;
  /** Builds the concrete request; `succeeds` says whether this caller is expected to get through. */
  prepare: (hub: TestHub, succeeds: boolean) => Promise<Prepared> | Prepared;
  expect: Record<Caller, number>;
}

const unauthenticated = {
  anonymous: 401,
  'expired-token': 401,
  'revoked-token': 401,
  'expired-jwt': 401,
} as const;
const tenantMembers = ['tenant-admin', 'tenant-operator', 'tenant-viewer', 'tenant-token'] as const;
type Member = Exclude<Caller, keyof typeof unauthenticated | 'platform-admin'>;

/** Open to anyone, signed in or not. */
export function open(ok: number): Record<Caller, number> {
  return Object.fromEntries(callers.map((caller) => [caller, ok])) as Record<Caller, number>;
}

/** Any valid credentials. */
export function signedIn(ok: number): Record<Caller, number> {
  return { ...open(ok), ...unauthenticated };
}

/** Platform-scope permission: only the platform admin; everyone else signed in gets 403. */
export function platform(ok: number): Record<Caller, number> {
  return { ...signedIn(403), 'platform-admin': ok };
}

/**
 * Permission checked in team-a: `allowed` get through; members of team-a lacking it get 403;
 * outsiders get 404 — team-a is none of their business.
 */
export function inTenant(ok: number, allowed: Member[]): Record<Caller, number> {
  const expect = { ...signedIn(404), 'platform-admin': ok };
  for (const member of tenantMembers) expect[member] = 403;
  for (const caller of allowed) expect[caller] = ok;
  return expect;
}

/** Lists across tenants: whoever holds the permission somewhere gets (their part of) it. */
export function anywhere(ok: number, allowed: Member[]): Record<Caller, number> {
  const expect = { ...signedIn(403), 'platform-admin': ok };
  for (const caller of allowed) expect[caller] = ok;
  return expect;
}

let counter = 0;
const fresh = (prefix: string) => `${prefix}-${++counter}-${Date.now().toString(36)}`;

async function freshUser(hub: TestHub): Promise<string> {
  const username = fresh('u');
  await hub.call('POST', '/api/v1/users', { body: { username, password: 'a-password-for-tests' } });
  return username;
}

const api = '/api/v1';

export const endpoints: Endpoint[] = [
  { method: 'GET', route: '/healthz', prepare: () => ({ path: '/healthz' }), expect: open(200) },
  { method: 'GET', route: '/readyz', prepare: () => ({ path: '/readyz' }), expect: open(200) },
  { method: 'GET', route: '/metrics', prepare: () => ({ path: '/metrics' }), expect: open(200) },
  {
    method: 'POST',
    route: `${api}/auth/login`,
    prepare: () => ({
      path: `${api}/auth/login`,
      body: { username: 'nobody', password: 'nobody-password-123' },
    }),
    expect: open(200),
  },
  // Public; the matrix hub has no SSO configured, so both answer 404 whoever asks.
  {
    method: 'GET',
    route: `${api}/auth/oidc/login`,
    prepare: () => ({ path: `${api}/auth/oidc/login` }),
    expect: open(404),
  },
  {
    method: 'GET',
    route: `${api}/auth/oidc/callback`,
    prepare: () => ({ path: `${api}/auth/oidc/callback` }),
    expect: open(404),
  },
  { method: 'GET', route: `${api}/me`, prepare: () => ({ path: `${api}/me` }), expect: signedIn(200) },
  {
    method: 'GET',
    route: `${api}/me/permissions`,
    prepare: () => ({ path: `${api}/me/permissions` }),
    expect: signedIn(200),
  },
  {
    method: 'POST',
    route: `${api}/tenants`,
    prepare: () => ({ path: `${api}/tenants`, body: { slug: fresh('t'), displayName: 'Fresh' } }),
    expect: platform(201),
  },
  {
    method: 'GET',
    route: `${api}/tenants`,
    prepare: () => ({ path: `${api}/tenants` }),
    expect: anywhere(200, [...tenantMembers, 'other-tenant-admin']),
  },
  {
    method: 'GET',
    route: `${api}/tenants/:tenant`,
    prepare: () => ({ path: `${api}/tenants/${TENANT}` }),
    expect: inTenant(200, [...tenantMembers]),
  },
  {
    method: 'PATCH',
    route: `${api}/tenants/:tenant`,
    prepare: () => ({ path: `${api}/tenants/${TENANT}`, body: { displayName: 'Team A' } }),
    expect: inTenant(200, []),
  },
  {
    method: 'DELETE',
    route: `${api}/tenants/:tenant`,
    prepare: async (hub, succeeds) => {
      if (!succeeds) return { path: `${api}/tenants/${TENANT}` };
      const slug = fresh('gone');
      await hub.tenant(slug);
      return { path: `${api}/tenants/${slug}` };
    },
    expect: inTenant(204, []),
  },
  {
    method: 'GET',
    route: `${api}/tenants/:tenant/role-bindings`,
    prepare: () => ({ path: `${api}/tenants/${TENANT}/role-bindings` }),
    expect: inTenant(200, [...tenantMembers]),
  },
  {
    method: 'POST',
    route: `${api}/tenants/:tenant/role-bindings`,
    prepare: async (hub) => ({
      path: `${api}/tenants/${TENANT}/role-bindings`,
      body: { subject: { kind: 'user', name: await freshUser(hub) }, role: 'tenant-viewer' },
    }),
    expect: inTenant(201, ['tenant-admin']),
  },
  {
    method: 'DELETE',
    route: `${api}/tenants/:tenant/role-bindings/:id`,
    prepare: async (hub) => {
      const id = await hub.bind(TENANT, 'user', await freshUser(hub), 'tenant-viewer');
      return { path: `${api}/tenants/${TENANT}/role-bindings/${id}` };
    },
    expect: inTenant(204, ['tenant-admin']),
  },
  {
    method: 'GET',
    route: `${api}/role-bindings`,
    prepare: () => ({ path: `${api}/role-bindings` }),
    expect: platform(200),
  },
  {
    method: 'POST',
    route: `${api}/role-bindings`,
    prepare: async (hub) => ({
      path: `${api}/role-bindings`,
      body: { subject: { kind: 'user', name: await freshUser(hub) }, role: 'tenant-viewer' },
    }),
    expect: platform(201),
  },
  {
    method: 'DELETE',
    route: `${api}/role-bindings/:id`,
    prepare: async (hub) => ({
      path: `${api}/role-bindings/${await hub.bind(null, 'user', await freshUser(hub), 'tenant-viewer')}`,
    }),
    expect: platform(204),
  },
  {
    method: 'GET',
    route: `${api}/roles`,
    prepare: () => ({ path: `${api}/roles` }),
    expect: anywhere(200, [...tenantMembers, 'other-tenant-admin']),
  },
  {
    method: 'POST',
    route: `${api}/roles`,
    prepare: () => ({
      path: `${api}/roles`,
      body: { name: fresh('role'), permissions: ['bindings:read'], tenant: TENANT },
    }),
    expect: inTenant(201, ['tenant-admin']),
  },
  {
    method: 'DELETE',
    route: `${api}/roles/:name`,
    prepare: async (hub) => {
      const name = fresh('role');
      await hub.call('POST', `${api}/roles`, {
        body: { name, permissions: ['bindings:read'], tenant: TENANT },
      });
      return { path: `${api}/roles/${name}?tenant=${TENANT}` };
    },
    expect: inTenant(204, ['tenant-admin']),
  },
  { method: 'GET', route: `${api}/users`, prepare: () => ({ path: `${api}/users` }), expect: platform(200) },
  {
    method: 'POST',
    route: `${api}/users`,
    prepare: () => ({
      path: `${api}/users`,
      body: { username: fresh('u'), password: 'a-password-for-tests' },
    }),
    expect: platform(201),
  },
  {
    method: 'GET',
    route: `${api}/users/:username`,
    prepare: () => ({ path: `${api}/users/admin` }),
    expect: platform(200),
  },
  {
    method: 'POST',
    route: `${api}/users/:username/disable`,
    prepare: async (hub) => ({ path: `${api}/users/${await freshUser(hub)}/disable` }),
    expect: platform(200),
  },
  {
    method: 'POST',
    route: `${api}/users/:username/enable`,
    prepare: async (hub) => ({ path: `${api}/users/${await freshUser(hub)}/enable` }),
    expect: platform(200),
  },
  {
    method: 'POST',
    route: `${api}/users/:username/reset-password`,
    prepare: async (hub) => ({
      path: `${api}/users/${await freshUser(hub)}/reset-password`,
      body: { password: 'another-password-123' },
    }),
    expect: platform(204),
  },
  {
    method: 'GET',
    route: `${api}/groups`,
    prepare: () => ({ path: `${api}/groups` }),
    expect: platform(200),
  },
  {
    method: 'POST',
    route: `${api}/tokens`,
    prepare: () => ({
      path: `${api}/tokens`,
      body: { name: fresh('ci'), tenant: TENANT, role: 'tenant-viewer' },
    }),
    expect: inTenant(201, ['tenant-admin']),
  },
  {
    method: 'GET',
    route: `${api}/tokens`,
    prepare: () => ({ path: `${api}/tokens` }),
    expect: anywhere(200, ['tenant-admin', 'other-tenant-admin']),
  },
  {
    method: 'DELETE',
    route: `${api}/tokens/:id`,
    prepare: async (hub) => {
      const created = await hub.call('POST', `${api}/tokens`, {
        body: { name: fresh('ci'), tenant: TENANT },
      });
      return { path: `${api}/tokens/${created.body.id as string}` };
    },
    // Whoever may revoke no token at all is refused before the id is even looked at.
    expect: { ...inTenant(204, ['tenant-admin']), 'no-role': 403 },
  },
  {
    method: 'GET',
    route: `${api}/audit`,
    prepare: () => ({ path: `${api}/audit` }),
    expect: anywhere(200, ['tenant-admin', 'other-tenant-admin']),
  },
  {
    method: 'GET',
    route: `${api}/audit/verify`,
    prepare: () => ({ path: `${api}/audit/verify` }),
    expect: platform(200),
  },
  ...clusterRows(),
  ...gitopsRows(),
  // Fleet views: whoever reads bindings somewhere gets (their part of) the fleet.
  ...[`${api}/fleet/status`, `${api}/events`].map((route): Endpoint => ({
    method: 'GET',
    route,
    prepare: () => ({ path: route }),
    expect: anywhere(200, [...tenantMembers, 'other-tenant-admin']),
  })),
];

/**
 * A refused request changes nothing, so callers that will be refused share one resource per
 * kind; only callers that get through (and may change or delete it) get a fresh one. This keeps
 * the hub's data small, and the matrix fast, without weakening any row.
 */
const sharedResources = new WeakMap<TestHub, Map<string, Promise<string>>>();
function reusedUnlessChanged(
  hub: TestHub,
  kind: string,
  succeeds: boolean,
  create: (hub: TestHub) => Promise<string>,
): Promise<string> {
  if (succeeds) return create(hub);
  let shared = sharedResources.get(hub);
  if (!shared) sharedResources.set(hub, (shared = new Map()));
  if (!shared.has(kind)) shared.set(kind, create(hub));
  return shared.get(kind)!;
}

/** A fresh cluster owned by team-a, so mutating rows never share one. */
async function teamCluster(hub: TestHub): Promise<string> {
  const name = fresh('c');
  const created = await hub.call('POST', `${api}/clusters`, { body: { name, tenant: TENANT } });
  if (created.status !== 201) throw new Error(`create cluster ${name}: ${created.status}`);
  return name;
}

/**
 * Clusters: a team-a cluster is visible to team-a members, 404 to other tenants; routes on one
 * cluster check `otherwise: 'any'` first, so callers without the permission anywhere get 403.
 */
function clusterRows(): Endpoint[] {
  const onCluster = (
    method: Endpoint['method'],
    suffix: string,
    ok: number,
    allowed: Member[],
    body?: unknown,
  ): Endpoint => ({
    method,
    route: `${api}/clusters/:cluster${suffix}`,
    prepare: async (hub, succeeds) => ({
      path: `${api}/clusters/${await reusedUnlessChanged(hub, 'cluster', succeeds, teamCluster)}${suffix}`,
      body,
    }),
    expect: { ...inTenant(ok, allowed), 'no-role': 403 },
  });
  return [
    {
      method: 'POST',
      route: `${api}/clusters`,
      prepare: () => ({ path: `${api}/clusters`, body: { name: fresh('c'), tenant: TENANT } }),
      expect: inTenant(201, ['tenant-admin']),
    },
    {
      method: 'GET',
      route: `${api}/clusters`,
      prepare: () => ({ path: `${api}/clusters` }),
      expect: anywhere(200, [...tenantMembers, 'other-tenant-admin']),
    },
    onCluster('GET', '', 200, [...tenantMembers]),
    onCluster('PATCH', '', 200, ['tenant-admin'], { labels: { env: 'prod' } }),
    onCluster('DELETE', '', 204, ['tenant-admin']),
    onCluster('POST', '/registration-tokens', 201, ['tenant-admin']),
    onCluster('GET', '/install.yaml', 200, ['tenant-admin']),
    onCluster('POST', '/rotate-credentials', 201, ['tenant-admin']),
  ];
}

/**
 * team-a's grant, repository and binding, made once per hub. The repository's URL is then
 * pointed at a local closed port so no row ever reaches the network.
 */
const gitopsFixtures = new WeakMap<TestHub, Promise<{ repositoryId: string }>>();
function gitopsFixture(hub: TestHub) {
  let fixture = gitopsFixtures.get(hub);
  if (!fixture) {
    fixture = (async () => {
      const base = `${api}/tenants/${TENANT}`;
      await hub.call('POST', `${base}/grants`, {
        body: { name: 'matrix', clusterSelector: {}, namespaces: ['team-a-*'] },
      });
      const repo = await hub.call('POST', `${base}/repositories`, {
        body: { name: 'matrix', url: 'https://93.184.216.34/matrix.git' },
      });
      await hub.sql(`UPDATE git_repository SET url = 'http://127.0.0.1:1/matrix.git' WHERE id = $1`, [
        repo.body.id,
      ]);
      return { repositoryId: repo.body.id as string };
    })();
    gitopsFixtures.set(hub, fixture);
  }
  return fixture;
}

/** A fresh binding of team-a with one revision that passed (so rollback has a target). */
async function freshBinding(hub: TestHub): Promise<string> {
  await gitopsFixture(hub);
  const name = fresh('b');
  const created = await hub.call('POST', `${api}/tenants/${TENANT}/bindings`, {
    body: { name, repository: 'matrix', ref: 'main', clusterSelector: {}, namespace: 'team-a-x' },
  });
  const commit = 'a'.repeat(40);
  const { bytes, digest } = createBundle({ bindingId: created.body.id, tenant: TENANT, commit, objects: [] });
  await hub.sql(
    `INSERT INTO bundle (digest, bytes, signature) VALUES ($1, $2, 'c2ln') ON CONFLICT DO NOTHING`,
    [digest, Buffer.from(bytes)],
  );
  await hub.sql(
    `INSERT INTO revision (binding_id, number, commit, source_key, status, checks, bundle_digest)
     VALUES ($1, 1, $2, 'matrix', 'passed', '{}', $3)`,
    [created.body.id, commit, digest],
  );
  return name;
}

function gitopsRows(): Endpoint[] {
  const base = `${api}/tenants/:tenant`;
  const grants = `${api}/tenants/${TENANT}/grants`;
  const repositories = `${api}/tenants/${TENANT}/repositories`;
  const bindings = `${api}/tenants/${TENANT}/bindings`;
  const operators: Member[] = ['tenant-admin', 'tenant-operator', 'tenant-token'];
  const freshGrant = async (hub: TestHub) => {
    const name = fresh('g');
    await hub.call('POST', grants, { body: { name, clusterSelector: {}, namespaces: ['team-a-*'] } });
    return name;
  };
  const freshRepository = async (hub: TestHub) => {
    const name = fresh('r');
    await hub.call('POST', repositories, { body: { name, url: 'https://93.184.216.34/r.git' } });
    return name;
  };
  const onBinding = (
    method: 'POST' | 'GET' | 'PATCH' | 'DELETE',
    suffix: string,
    ok: number,
    allowed: Member[],
    body?: unknown,
  ): Endpoint => ({
    method,
    route: `${base}/bindings/:binding${suffix}`,
    prepare: async (hub, succeeds) => ({
      path: `${bindings}/${await reusedUnlessChanged(hub, 'binding', succeeds, freshBinding)}${suffix}`,
      body,
    }),
    expect: inTenant(ok, allowed),
  });
  return [
    {
      method: 'POST',
      route: `${base}/grants`,
      prepare: () => ({
        path: grants,
        body: { name: fresh('g'), clusterSelector: {}, namespaces: ['team-a-*'] },
      }),
      expect: inTenant(201, []),
    },
    {
      method: 'GET',
      route: `${base}/grants`,
      prepare: () => ({ path: grants }),
      expect: inTenant(200, [...tenantMembers]),
    },
    {
      method: 'GET',
      route: `${base}/grants/:grant`,
      prepare: async (hub, succeeds) => ({
        path: `${grants}/${await reusedUnlessChanged(hub, 'grant', succeeds, freshGrant)}`,
      }),
      expect: inTenant(200, [...tenantMembers]),
    },
    {
      method: 'PATCH',
      route: `${base}/grants/:grant`,
      prepare: async (hub, succeeds) => ({
        path: `${grants}/${await reusedUnlessChanged(hub, 'grant', succeeds, freshGrant)}`,
        body: { namespaces: ['team-a-web'] },
      }),
      expect: inTenant(200, []),
    },
    {
      method: 'DELETE',
      route: `${base}/grants/:grant`,
      prepare: async (hub, succeeds) => ({
        path: `${grants}/${await reusedUnlessChanged(hub, 'grant', succeeds, freshGrant)}`,
      }),
      expect: inTenant(204, []),
    },
    {
      method: 'POST',
      route: `${base}/repositories`,
      prepare: () => ({ path: repositories, body: { name: fresh('r'), url: 'https://93.184.216.34/r.git' } }),
      expect: inTenant(201, ['tenant-admin']),
    },
    {
      method: 'GET',
      route: `${base}/repositories`,
      prepare: () => ({ path: repositories }),
      expect: inTenant(200, [...tenantMembers]),
    },
    {
      method: 'GET',
      route: `${base}/repositories/:repository`,
      prepare: async (hub, succeeds) => ({
        path: `${repositories}/${await reusedUnlessChanged(hub, 'repository', succeeds, freshRepository)}`,
      }),
      expect: inTenant(200, [...tenantMembers]),
    },
    {
      method: 'PATCH',
      route: `${base}/repositories/:repository`,
      prepare: async (hub, succeeds) => ({
        path: `${repositories}/${await reusedUnlessChanged(hub, 'repository', succeeds, freshRepository)}`,
        body: { pollInterval: '5m' },
      }),
      expect: inTenant(200, ['tenant-admin']),
    },
    {
      method: 'DELETE',
      route: `${base}/repositories/:repository`,
      prepare: async (hub, succeeds) => ({
        path: `${repositories}/${await reusedUnlessChanged(hub, 'repository', succeeds, freshRepository)}`,
      }),
      expect: inTenant(204, ['tenant-admin']),
    },
    {
      method: 'POST',
      route: `${base}/repositories/:repository/refresh`,
      prepare: async (hub) => {
        await gitopsFixture(hub);
        return { path: `${repositories}/matrix/refresh` };
      },
      expect: inTenant(200, operators),
    },
    {
      method: 'POST',
      route: `${base}/bindings`,
      prepare: async (hub) => {
        await gitopsFixture(hub);
        return {
          path: bindings,
          body: {
            name: fresh('b'),
            repository: 'matrix',
            ref: 'main',
            clusterSelector: {},
            namespace: 'team-a-x',
          },
        };
      },
      expect: inTenant(201, ['tenant-admin']),
    },
    {
      method: 'GET',
      route: `${base}/bindings`,
      prepare: () => ({ path: bindings }),
      expect: inTenant(200, [...tenantMembers]),
    },
    onBinding('GET', '', 200, [...tenantMembers]),
    onBinding('PATCH', '', 200, ['tenant-admin'], { ref: 'release' }),
    onBinding('DELETE', '', 204, ['tenant-admin']),
    onBinding('POST', '/preview', 200, [...tenantMembers]),
    onBinding('GET', '/history', 200, [...tenantMembers]),
    {
      method: 'GET',
      route: `${base}/bindings/:binding/clusters/:cluster`,
      // Read-only, so every caller shares one pair; fixture bindings select every cluster.
      prepare: async (hub) => ({
        path: `${bindings}/${await reusedUnlessChanged(hub, 'binding-cluster', false, async (h) => `${await freshBinding(h)}/clusters/${await teamCluster(h)}`)}`,
      }),
      expect: inTenant(200, [...tenantMembers]),
    },
    onBinding('POST', '/sync', 200, operators),
    onBinding('POST', '/rollback', 200, operators, { revision: 1 }),
    onBinding('POST', '/unpin', 200, operators),
    onBinding('POST', '/suspend', 200, operators),
    onBinding('POST', '/resume', 200, operators),
    {
      method: 'POST',
      route: `${api}/webhooks/:provider/:repositoryId`,
      // Public, authenticated by the repository's webhook secret alone: an unsigned delivery is refused.
      prepare: async (hub) => ({
        path: `${api}/webhooks/github/${(await gitopsFixture(hub)).repositoryId}`,
        body: {},
      }),
      expect: open(401),
    },
  ];
}
