import { decodeRegistrationToken } from '@flotilla/contracts';
import { KubeTestServer } from '@flotilla/testing';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AGENT_NODE_OPTIONS } from '../src/clusters/install-manifests.js';
import { TestHub, type Json } from './harness.js';

const api = '/api/v1/clusters';

describe('clusters API', () => {
  let hub: TestHub;
  let alice: string; // tenant-admin of team-a
  let bob: string; // tenant-admin of team-b
  let viewer: string; // tenant-viewer of team-a

  beforeAll(async () => {
    hub = await TestHub.start();
    await hub.tenant('team-a');
    await hub.tenant('team-b');
    alice = await hub.user('alice');
    bob = await hub.user('bob');
    viewer = await hub.user('vera');
    await hub.bind('team-a', 'user', 'alice', 'tenant-admin');
    await hub.bind('team-b', 'user', 'bob', 'tenant-admin');
    await hub.bind('team-a', 'user', 'vera', 'tenant-viewer');
  });
  afterAll(() => hub?.stop());

  const register = (body: Json, token?: string) => hub.call('POST', api, { body, token });

  it('registers a shared cluster and answers a one-time token and the install command', async () => {
    const created = await register({ name: 'edge-1', labels: { env: 'prod' }, tenant: null });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'edge-1',
      tenant: null,
      labels: { env: 'prod' },
      state: 'Pending',
    });
    const payload = decodeRegistrationToken(created.body.registrationToken);
    expect(payload.cluster).toBe(created.body.id);
    expect(created.body.installCommand).toContain(
      '/api/v1/clusters/edge-1/install.yaml | kubectl apply -f -',
    );
    expect(Date.parse(created.body.registrationTokenExpiresAt) - Date.now()).toBeGreaterThan(3500_000);

    // Only the hash is kept; the token appears in no table, not even in the audit trail.
    const [row] = await hub.sql('SELECT secret_hash FROM cluster_registration_token WHERE cluster_id = $1', [
      created.body.id,
    ]);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const dump =
      JSON.stringify(await hub.sql('SELECT * FROM audit_event')) +
      JSON.stringify(await hub.sql('SELECT * FROM cluster_registration_token'));
    expect(dump).not.toContain(payload.secret);
    expect(dump).not.toContain(payload.seed);
    const [audit] = await hub.sql(
      `SELECT * FROM audit_event WHERE action = 'clusters:create' AND target = 'cluster/edge-1'`,
    );
    expect(audit.outcome).toBe('success');

    const fetched = await hub.call('GET', `${api}/edge-1`);
    expect(fetched.body).toMatchObject({
      state: 'Pending',
      agentVersion: null,
      lastSeenAt: null,
      credentialIssued: false,
    });
    expect(fetched.body.registrationToken).toBeUndefined();
  });

  it('refuses duplicates and bad input, naming the field', async () => {
    expect((await register({ name: 'edge-1' })).status).toBe(409);
    const bad = await register({ name: 'Edge_1', labels: { 'bad key': 'x' }, extra: 1 });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'labels.bad key', 'extra']));
    expect((await register({ name: 'x', labels: { env: 'no spaces' } })).body.errors[0].field).toBe(
      'labels.env',
    );
  });

  it('lets a tenant admin register only in its own tenant; shared needs platform permission', async () => {
    expect(
      (await register({ name: 'a-1', labels: { env: 'prod', tier: 'a' }, tenant: 'team-a' }, alice)).status,
    ).toBe(201);
    const shared = await register({ name: 'a-shared' }, alice);
    expect(shared.status).toBe(403);
    expect((await register({ name: 'a-in-b', tenant: 'team-b' }, alice)).status).toBe(404);
    expect((await register({ name: 'a-2', tenant: 'team-a' }, viewer)).status).toBe(403);
    const denied = await hub.sql(
      `SELECT 1 FROM audit_event WHERE outcome = 'denied' AND action = 'clusters:write'`,
    );
    expect(denied.length).toBeGreaterThanOrEqual(3);
  });

  it('lists with a Kubernetes label selector, scoped to what the caller may see', async () => {
    await register({ name: 'a-2', labels: { env: 'prod', tier: 'b' }, tenant: 'team-a' });
    await register({ name: 'a-3', labels: { env: 'dev' }, tenant: 'team-a' });
    await register({ name: 'b-1', labels: { env: 'prod', tier: 'a' }, tenant: 'team-b' });
    const names = async (query: string, token?: string) => {
      const answer = await hub.call('GET', `${api}${query}`, { token });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.items.map((c: { name: string }) => c.name);
    };
    expect(await names('?labelSelector=env%3Dprod,tier%20in%20(a)')).toEqual(['a-1', 'b-1']);
    expect(await names('?labelSelector=env!%3Ddev,!tier')).toEqual(['edge-1']);
    expect(await names('?labelSelector=tier')).toEqual(['a-1', 'a-2', 'b-1']);
    // Tenant users see their tenant's clusters only: not shared ones, not other tenants'.
    expect(await names('', alice)).toEqual(['a-1', 'a-2', 'a-3']);
    expect(await names('?labelSelector=env%3Dprod', viewer)).toEqual(['a-1', 'a-2']);
    expect(await names('', bob)).toEqual(['b-1']);
    expect((await hub.call('GET', `${api}?tenant=team-a`, { token: bob })).status).toBe(404);
    const bad = await hub.call('GET', `${api}?labelSelector=tier%20in%20(a`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('labelSelector');
  });

  it('relabels, with before and after in the audit trail', async () => {
    const patched = await hub.call('PATCH', `${api}/a-3`, {
      token: alice,
      body: { labels: { env: 'staging' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.labels).toEqual({ env: 'staging' });
    const [event] = await hub.sql(`SELECT before, after FROM audit_event WHERE action = 'clusters:update'`);
    expect(event.before.labels).toEqual({ env: 'dev' });
    expect(event.after.labels).toEqual({ env: 'staging' });
    expect((await hub.call('PATCH', `${api}/a-3`, { token: viewer, body: { labels: {} } })).status).toBe(403);
  });

  it.each([
    ['GET', ''],
    ['PATCH', ''],
    ['DELETE', ''],
    ['POST', '/registration-tokens'],
    ['GET', '/install.yaml'],
    ['POST', '/rotate-credentials'],
  ])("%s a team-a cluster%s as team-b's admin → 404 like a missing one", async (method, suffix) => {
    const body = method === 'PATCH' ? { labels: {} } : undefined;
    const answer = await hub.call(method, `${api}/a-1${suffix}`, { token: bob, body });
    expect(answer.status).toBe(404);
    const ghost = await hub.call(method, `${api}/nope${suffix}`, { token: bob, body });
    expect(ghost.status).toBe(404);
    expect(answer.body.detail.replace('a-1', 'nope')).toBe(ghost.body.detail);
    expect((await hub.call('GET', `${api}/a-1`)).body.labels).toEqual({ env: 'prod', tier: 'a' });
  });

  it('issues install manifests that apply to a cluster and carry a fresh token', async () => {
    const res = await fetch(`${hub.url}${api}/a-1/install.yaml`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    const objects = parseAllDocuments(await res.text()).map((doc) => doc.toJS() as KubernetesObject & Json);
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Secret',
      'Deployment',
    ]);
    const secret = objects.find((o) => o.kind === 'Secret')!;
    expect(decodeRegistrationToken(secret.stringData.token).cluster).toBe(
      (await hub.call('GET', `${api}/a-1`)).body.id,
    );
    const pod = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const [container] = pod.containers;
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.resources.requests).toEqual({ cpu: '50m', memory: '128Mi' });
    expect(container.env).toContainEqual({ name: 'NODE_OPTIONS', value: AGENT_NODE_OPTIONS });
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    const clusterRole = objects.find((o) => o.kind === 'ClusterRole')!;
    const verbs = clusterRole.rules.flatMap((r: { resources: string[]; verbs: string[] }) =>
      r.resources.map((res) => `${res}:${r.verbs.join('|')}`),
    );
    expect(verbs.join(' ')).not.toContain('*'); // least privilege: no wildcards
    expect(JSON.stringify(clusterRole.rules)).not.toContain('secrets'); // Secrets only in its own namespace

    const kube = await KubeTestServer.start({ tls: true });
    try {
      const kc = new KubeConfig();
      kc.loadFromString(kube.kubeconfig());
      const client = KubernetesObjectApi.makeApiClient(kc);
      for (const object of objects) await client.create(object);
      const stored = (await client.read({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'flotilla-agent-registration', namespace: 'flotilla-system' },
      })) as Json;
      expect(Buffer.from(stored.data.token, 'base64').toString()).toBe(secret.stringData.token);
    } finally {
      await kube.stop();
    }
    // Every download is a new token, audited.
    const issued = await hub.sql(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'clusters:issue-token' AND target = 'cluster/a-1'`,
    );
    expect(issued[0].n).toBe(2);
  });

  it('deletes a cluster, and offboarding a tenant that owns clusters needs force', async () => {
    expect((await hub.call('DELETE', `${api}/a-3`, { token: alice })).status).toBe(204);
    expect((await hub.call('GET', `${api}/a-3`)).status).toBe(404);
    const refused = await hub.call('DELETE', '/api/v1/tenants/team-b');
    expect(refused.status).toBe(409);
    expect(refused.body.owned).toMatchObject({ clusters: 1 });
    expect((await hub.call('DELETE', '/api/v1/tenants/team-b?force=true')).status).toBe(204);
    expect((await hub.call('GET', `${api}/b-1`)).status).toBe(404);
    expect(await hub.sql(`SELECT 1 FROM cluster WHERE name = 'b-1'`)).toHaveLength(0);
  });

  it('honours the tenant cluster quota', async () => {
    await hub.call('PATCH', '/api/v1/tenants/team-a', { body: { quotas: { clusters: 2 } } });
    const over = await register({ name: 'a-9', tenant: 'team-a' }, alice);
    expect(over.status).toBe(409);
    expect(over.body.detail).toContain('quota of 2 clusters');
  });
});
