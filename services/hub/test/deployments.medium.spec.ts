import type { BindingStatus, StatusReport } from '@flotilla/contracts';
import { GitTestServer } from '@flotilla/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent } from '../../agent/src/connection/index.js';
import type { AgentChannel } from '../../agent/src/connection/index.js';
import { HUB_CONFIG, type HubConfig } from '../src/config/config.js';
import { DeploymentIngest } from '../src/deployments/deployment-ingest.js';
import { FleetEvents } from '../src/fleet/events/fleet-events.js';
import { HubMessaging, natsUrl } from '../src/messaging/hub-messaging.service.js';
import { NatsAuthorityService } from '../src/messaging/nats-authority.service.js';
import { GitOpsHub, kustomizeApp, type Json } from './gitops-fixture.js';

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** A binding's status as an agent reports it. */
const reported = (bindingId: string, overrides: Partial<BindingStatus> = {}): BindingStatus => ({
  bindingId,
  appliedDigest: digest(1),
  commit: 'c'.repeat(40),
  syncState: 'Synced',
  health: 'Healthy',
  objects: [
    {
      group: 'apps',
      kind: 'Deployment',
      namespace: 'team-a-web',
      name: 'web',
      action: 'created',
      health: 'Healthy',
    },
  ],
  durations: { totalMs: 12 },
  ...overrides,
});

describe('status reports → deployment status and sync history', () => {
  let git: GitTestServer;
  let ops: GitOpsHub;
  let agent: AgentChannel;
  let prod1: string;
  const ids: Record<string, string> = {};

  const report = async (seq: number, bindings: BindingStatus[]) => {
    const message: StatusReport = {
      kind: 'status',
      seq,
      sentAt: new Date().toISOString(),
      assignmentRevision: 1,
      bindings,
    };
    await agent.publishStatus(message);
  };
  const webOnProd1 = async (): Promise<Json> =>
    (await ops.call('GET', '/tenants/team-a/bindings/web')).body.clusters.find(
      (c: { name: string }) => c.name === 'prod-1',
    );
  const storedSeq = async () =>
    (await ops.hub.sql(`SELECT report_seq FROM deployment_status WHERE cluster_id = $1`, [prod1]))[0]
      ?.report_seq;

  beforeAll(async () => {
    git = await GitTestServer.start();
    ops = await GitOpsHub.start(git);
    const repo = await git.createRepo('apps');
    await repo.commitFiles(kustomizeApp('1.1'), 'first');
    for (const [tenant, env] of [
      ['team-a', 'prod'],
      ['team-b', 'dev'],
    ] as const) {
      await ops.hub.tenant(tenant);
      await ops.call('POST', `/tenants/${tenant}/grants`, {
        name: 'g',
        clusterSelector: { matchLabels: { env } },
        namespaces: [`${tenant}-*`],
      });
      await ops.call('POST', `/tenants/${tenant}/repositories`, { name: 'apps', url: repo.url });
    }
    prod1 = await ops.cluster('prod-1', { env: 'prod' });
    await ops.cluster('dev-1', { env: 'dev' });
    for (const [tenant, name, env] of [
      ['team-a', 'web', 'prod'],
      ['team-b', 'api', 'dev'],
    ] as const) {
      const created = await ops.call('POST', `/tenants/${tenant}/bindings`, {
        name,
        repository: 'apps',
        ref: 'main',
        path: 'web/overlays/prod',
        clusterSelector: { matchLabels: { env } },
        namespace: `${tenant}-web`,
      });
      expect(created.status).toBe(201);
      ids[name] = created.body.id;
    }
    const config = ops.hub.app.get<HubConfig>(HUB_CONFIG);
    const { creds } = await ops.hub.app.get(NatsAuthorityService).authority.mintAgentCredentials(prod1);
    agent = await connectAgent({ natsUrl: natsUrl(config), creds, clusterId: prod1, name: 'test-agent' });
  });
  afterAll(async () => {
    await agent?.drain();
    await ops?.stop();
    await git?.stop();
  });

  it('shows what the cluster applied next to what it was assigned; a forged binding is ignored', async () => {
    const before = await webOnProd1();
    expect(before).toMatchObject({ syncState: null, appliedDigest: null, published: true });

    // The api binding belongs to team-b and is not on prod-1: the hub must not take it (nor an
    // id that is no binding's, which must not fail the whole report either).
    await report(10, [reported(ids.web!), reported(ids.api!), reported('not-a-binding')]);
    const view = await ops.eventually(async () => {
      const cluster = await webOnProd1();
      return cluster.updatedAt && cluster;
    });
    expect(view).toMatchObject({
      appliedDigest: digest(1),
      appliedCommit: 'c'.repeat(40),
      health: 'Healthy',
      // Synced on a bundle other than the assigned one: not caught up yet.
      syncState: 'OutOfSync',
      lastError: null,
    });
    expect(view.bundleDigest).toMatch(/^sha256:/);
    expect(view.objects).toEqual([expect.objectContaining({ name: 'web', action: 'created' })]);
    expect(await ops.hub.sql(`SELECT 1 FROM deployment_status WHERE binding_id = $1`, [ids.api])).toEqual([]);

    await report(11, [reported(ids.web!, { appliedDigest: view.bundleDigest })]);
    await ops.eventually(async () => (await webOnProd1()).syncState === 'Synced');
  });

  it('stores a report once, keeps the newest, and records history only on change', async () => {
    // Seq 12 changes nothing but freshness; seq 13 degrades; a late seq 12 replay must not win.
    const assigned = (await webOnProd1()).bundleDigest;
    await report(12, [reported(ids.web!, { appliedDigest: assigned })]);
    await report(13, [
      reported(ids.web!, {
        appliedDigest: assigned,
        syncState: 'Failed',
        health: 'Degraded',
        error: { reason: 'ApplyFailed', message: 'admission webhook denied' },
      }),
    ]);
    await ops.eventually(async () => (await storedSeq()) === '13');
    const cluster = await ops.call('GET', '/tenants/team-a/bindings/web/clusters/prod-1');
    expect(cluster.status).toBe(200);
    expect(cluster.body).toMatchObject({
      syncState: 'Failed',
      health: 'Degraded',
      lastError: { reason: 'ApplyFailed', message: 'admission webhook denied' },
    });
    expect(
      cluster.body.history.items.map((h: Json) => [h.syncState, h.health, h.appliedDigest === assigned]),
    ).toEqual([
      ['Failed', 'Degraded', true],
      ['Synced', 'Healthy', true],
      ['Synced', 'Healthy', false],
    ]);
    const page = await ops.call('GET', '/tenants/team-a/bindings/web/clusters/prod-1?limit=1');
    expect(page.body.history.items).toHaveLength(1);
    const next = await ops.call(
      'GET',
      `/tenants/team-a/bindings/web/clusters/prod-1?limit=5&cursor=${page.body.history.nextCursor}`,
    );
    expect(next.body.history.items.map((h: Json) => h.health)).toEqual(['Healthy', 'Healthy']);
  });

  it('ignores a redelivered (older) report of a binding', async () => {
    // Straight into the listener: the cluster-level seq check is not what protects the row here.
    await ops.hub.app.get(DeploymentIngest).ingest(prod1, {
      kind: 'status',
      seq: 12,
      sentAt: new Date().toISOString(),
      assignmentRevision: 1,
      bindings: [reported(ids.web!, { health: 'Missing' })],
    });
    expect(await storedSeq()).toBe('13');
    const rows = await ops.hub.sql(`SELECT count(*)::int AS n FROM sync_history WHERE cluster_id = $1`, [
      prod1,
    ]);
    expect(rows[0].n).toBe(3);
  });

  it('a report whose derived status cannot be stored is redelivered, not lost, and no event before', async () => {
    // Each fleet event of prod-1 next to what another connection reads at that moment.
    const events: Promise<[string | null, string]>[] = [];
    const unsubscribe = ops.hub.app.get(FleetEvents).subscribe(({ event }) => {
      if (event.cluster !== 'prod-1') return;
      const row = ops.hub.sql(`SELECT health FROM deployment_status WHERE cluster_id = $1`, [prod1]);
      events.push(row.then((rows) => [event.health, rows[0].health]));
    });
    let failures = 0;
    ops.hub.app.get(HubMessaging).onStatusInTransaction(async (_cluster, message) => {
      if (message.seq === 20 && failures++ === 0) throw new Error('database hiccup');
    });
    const assigned = (await webOnProd1()).bundleDigest;
    await report(20, [reported(ids.web!, { appliedDigest: assigned, health: 'Progressing' })]);
    await ops.eventually(async () => failures > 0);
    // Rolled back as a whole: neither the cluster's seq nor the deployment row moved, and no
    // subscriber heard of it…
    expect(await storedSeq()).toBe('13');
    expect((await ops.hub.sql(`SELECT last_seq FROM cluster WHERE id = $1`, [prod1]))[0].last_seq).toBe('13');
    expect(events).toEqual([]);
    // …and the stream's redelivery stores it, announced once committed.
    await ops.eventually(async () => (await storedSeq()) === '20', 15_000);
    expect((await webOnProd1()).health).toBe('Progressing');
    await ops.eventually(async () => events.length > 0);
    expect(await Promise.all(events)).toEqual([['Progressing', 'Progressing']]);
    unsubscribe();
  });

  it("stores each cluster's reports in order while ingesting clusters concurrently", async () => {
    const prod2 = await ops.cluster('prod-2', { env: 'prod' });
    const config = ops.hub.app.get<HubConfig>(HUB_CONFIG);
    const { creds } = await ops.hub.app.get(NatsAuthorityService).authority.mintAgentCredentials(prod2);
    const agent2 = await connectAgent({ natsUrl: natsUrl(config), creds, clusterId: prod2, name: 'agent-2' });
    try {
      // Every report changes the health, so each one stored in order appends one history row;
      // one stored after a later one would be skipped as a redelivery.
      const seqs = Array.from({ length: 40 }, (_, n) => 100 + n);
      const healthOf = (seq: number) => (seq % 2 ? 'Progressing' : 'Healthy');
      const publishAll = async (channel: AgentChannel) => {
        for (const seq of seqs) {
          await channel.publishStatus({
            kind: 'status',
            seq,
            sentAt: new Date().toISOString(),
            assignmentRevision: 1,
            bindings: [reported(ids.web!, { health: healthOf(seq) })],
          });
        }
      };
      await Promise.all([publishAll(agent), publishAll(agent2)]);
      const last = seqs.at(-1)!;
      for (const cluster of [prod1, prod2]) {
        await ops.eventually(async () => {
          const rows = await ops.hub.sql(`SELECT last_seq FROM cluster WHERE id = $1`, [cluster]);
          return rows[0].last_seq === String(last);
        });
        const [row] = await ops.hub.sql(
          `SELECT report_seq, health FROM deployment_status WHERE cluster_id = $1`,
          [cluster],
        );
        expect(row).toEqual({ report_seq: String(last), health: healthOf(last) });
        const history = await ops.hub.sql(
          `SELECT report_seq FROM sync_history WHERE cluster_id = $1 AND report_seq >= $2 ORDER BY id`,
          [cluster, seqs[0]],
        );
        expect(history.map((h: Json) => Number(h.report_seq))).toEqual(seqs);
      }
    } finally {
      await agent2.drain();
    }
  });

  it('schedules clusters registered, relabelled and deleted through the clusters API', async () => {
    const created = await ops.call('POST', '/clusters', { name: 'prod-9', labels: { env: 'prod' } });
    expect(created.status).toBe(201);
    expect((await ops.assignment(created.body.id))?.bindings.map((b) => b.name)).toEqual(['web']);
    await ops.call('PATCH', '/clusters/prod-9', { labels: { env: 'dev' } });
    expect((await ops.assignment(created.body.id))?.bindings.map((b) => b.name)).toEqual(['api']);
    expect((await ops.call('DELETE', '/clusters/prod-9')).status).toBe(204);
    expect(
      await ops.hub.sql(`SELECT 1 FROM assignment_state WHERE cluster_id = $1`, [created.body.id]),
    ).toEqual([]);
  });

  it('keeps other tenants out and refuses bad input with 4xx', async () => {
    const bob = await ops.hub.user('bob');
    await ops.hub.bind('team-b', 'user', 'bob', 'tenant-viewer');
    const path = '/tenants/team-a/bindings/web/clusters/prod-1';
    expect((await ops.call('GET', path, undefined, bob)).status).toBe(404);
    expect(
      (await ops.call('GET', '/tenants/team-b/bindings/web/clusters/prod-1', undefined, bob)).status,
    ).toBe(404);
    // dev-1 exists but the web binding does not target it and it never reported web.
    expect((await ops.call('GET', '/tenants/team-a/bindings/web/clusters/dev-1')).status).toBe(404);
    const bad = await ops.call('GET', `${path}?cursor=nonsense`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });
});
