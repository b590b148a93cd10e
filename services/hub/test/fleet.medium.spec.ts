import { randomUUID } from 'node:crypto';
import type { BindingStatus } from '@flotilla/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse, type ServerEvent } from '../../cli/src/http/sse.js';
import { DeploymentIngest } from '../src/deployments/deployment-ingest.js';
import { TestHub, type Json } from './harness.js';

/**
 * Status goes in through the real ingest (`DeploymentIngest.ingest`, what the NATS status
 * consumer calls, with its assignment check and its event hook); only the NATS hop is skipped.
 * Tenants, bindings, clusters, revisions and published assignments are rows written directly:
 * their APIs are other modules' and would need Git and NATS.
 */
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const commit = (c: string) => c.repeat(40);

interface Report {
  binding: string;
  sync?: BindingStatus['syncState'];
  health?: BindingStatus['health'];
  digest?: string;
  error?: string;
}

/** Follows GET /api/v1/events; `next` waits for the next event the stream carries. */
class Stream {
  private readonly events: ServerEvent[] = [];
  private wake: (() => void) | null = null;
  private constructor(
    private readonly abort: AbortController,
    readonly status: number,
  ) {}

  static async open(hub: TestHub, token: string, query = '', headers: Record<string, string> = {}) {
    const abort = new AbortController();
    const res = await fetch(`${hub.url}/api/v1/events${query}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      signal: abort.signal,
    });
    const stream = new Stream(abort, res.status);
    if (res.ok) void stream.pump(res.body!);
    else abort.abort();
    return stream;
  }

  private async pump(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    async function* text() {
      for await (const bytes of body) yield decoder.decode(bytes, { stream: true });
    }
    try {
      for await (const event of parseSse(text())) {
        this.events.push(event);
        this.wake?.();
      }
    } catch {
      // aborted by close()
    }
  }

  /** Every event received so far, parsed, in order. */
  received(): Json[] {
    return this.events.map((event) => ({ id: event.id, ...JSON.parse(event.data) }));
  }

  async until(count: number, timeoutMs = 5_000): Promise<Json[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${this.events.length}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return this.received();
  }

  close() {
    this.abort.abort();
  }
}

describe('fleet status, events and metrics', () => {
  let hub: TestHub;
  let alice: string;
  let bob: string;
  const tenant: Record<string, string> = {};
  const binding: Record<string, string> = {};
  const cluster: Record<string, string> = {};
  let seq = 0;

  const report = async (clusterName: string, ...reports: Report[]) =>
    hub.app.get(DeploymentIngest).ingest(cluster[clusterName]!, {
      kind: 'status',
      seq: ++seq,
      sentAt: new Date().toISOString(),
      assignmentRevision: 1,
      bindings: reports.map((r) => ({
        bindingId: binding[r.binding]!,
        appliedDigest: r.digest ?? digest(binding[r.binding] === binding.web ? 1 : 2),
        commit: commit(r.digest === digest(9) ? 'e' : 'c'),
        syncState: r.sync ?? 'Synced',
        health: r.health ?? 'Healthy',
        objects: [],
        durations: { totalMs: 5 },
        ...(r.error && { error: { reason: r.error, message: 'apply refused' } }),
      })),
    });
  const fleet = async (query = '', token?: string) =>
    hub.call('GET', `/api/v1/fleet/status${query}`, token ? { token } : {});
  const cells = (body: Json) => body.items.map((i: Json) => `${i.binding}@${i.cluster}`).sort() as string[];

  beforeAll(async () => {
    hub = await TestHub.start();
    for (const slug of ['team-a', 'team-b']) {
      await hub.tenant(slug);
      [{ id: tenant[slug] }] = await hub.sql(`SELECT id FROM tenant WHERE slug = $1`, [slug]);
      const repo = randomUUID();
      await hub.sql(
        `INSERT INTO git_repository (id, tenant_id, name, url, webhook_secret_sealed, poll_interval_seconds)
         VALUES ($1, $2, 'apps', 'https://git.example/apps.git', 'x', 60)`,
        [repo, tenant[slug]],
      );
      const name = slug === 'team-a' ? 'web' : 'api';
      [{ id: binding[name] }] = await hub.sql(
        `INSERT INTO binding (tenant_id, name, repository_id, ref, path, cluster_selector, namespace, sync_policy)
         VALUES ($1, $2, $3, 'main', '.', '{}', $4, '{}') RETURNING id`,
        [tenant[slug], name, repo, `${slug}-apps`],
      );
    }
    for (const [name, n] of [
      ['web', 1],
      ['api', 2],
    ] as const) {
      await hub.sql(`INSERT INTO bundle (digest, bytes, signature) VALUES ($1, '\\x00', 's')`, [digest(n)]);
      await hub.sql(
        `INSERT INTO revision (binding_id, number, commit, source_key, status, checks, bundle_digest)
         VALUES ($1, 3, $2, $3, 'passed', '{}', $4)`,
        [binding[name], commit('c'), `key-${name}`, digest(n)],
      );
    }
    // web runs on every cluster, api on prod-1 and dev-1; assignments say so.
    for (const [name, env, bindings] of [
      ['prod-1', 'prod', ['web', 'api']],
      ['prod-2', 'prod', ['web']],
      ['dev-1', 'dev', ['web', 'api']],
    ] as const) {
      cluster[name] = randomUUID();
      await hub.sql(
        `INSERT INTO cluster (id, name, tenant_id, labels, created_by) VALUES ($1, $2, NULL, $3, 'test')`,
        [cluster[name], name, JSON.stringify({ env })],
      );
      await hub.sql(
        `INSERT INTO assignment_state (cluster_id, document_hash, revision, binding_ids, bundle_digests)
         VALUES ($1, 'h', 1, $2, $3)`,
        [
          cluster[name],
          JSON.stringify(bindings.map((b) => binding[b])),
          JSON.stringify(bindings.map((b) => digest(b === 'web' ? 1 : 2))),
        ],
      );
    }
    await hub.user('alice');
    await hub.bind('team-a', 'user', 'alice', 'tenant-viewer');
    alice = await hub.login('alice', 'alice-password-123');
    await hub.user('bob');
    await hub.bind('team-b', 'user', 'bob', 'tenant-viewer');
    bob = await hub.login('bob', 'bob-password-123');
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('streams each tenant only its own changes, replays after Last-Event-ID, skips no-ops', async () => {
    const [a, b, all] = await Promise.all([
      Stream.open(hub, alice),
      Stream.open(hub, bob),
      Stream.open(hub, hub.adminToken),
    ]);
    expect([a.status, b.status, all.status]).toEqual([200, 200, 200]);

    await report('prod-1', { binding: 'web' }, { binding: 'api' });
    await report('prod-2', { binding: 'web', sync: 'Failed', health: 'Degraded', error: 'ApplyFailed' });
    // api is not assigned to prod-2: the ingest ignores it, so no event can leak from it.
    await report('dev-1', { binding: 'web', health: 'Progressing' }, { binding: 'api', sync: 'OutOfSync' });

    const everything = await all.until(5);
    const forA = await a.until(3);
    const forB = await b.until(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(a.received().map((e) => e.tenant)).toEqual(['team-a', 'team-a', 'team-a']);
    expect(b.received().map((e) => e.tenant)).toEqual(['team-b', 'team-b']);
    expect(everything.map((e) => e.tenant).sort()).toEqual([
      'team-a',
      'team-a',
      'team-a',
      'team-b',
      'team-b',
    ]);
    expect(forA.find((e) => e.cluster === 'prod-2')).toMatchObject({
      type: 'deployment',
      binding: 'web',
      syncState: 'Failed',
      health: 'Degraded',
      revision: 3,
      lastError: 'ApplyFailed: apply refused',
    });
    expect(forB.map((e) => `${e.binding}@${e.cluster}:${e.syncState}`).sort()).toEqual([
      'api@dev-1:OutOfSync',
      'api@prod-1:Synced',
    ]);

    // The same state again is no event; the next change is the next event.
    await report('prod-1', { binding: 'web' });
    await report('prod-1', { binding: 'web', health: 'Degraded' });
    const next = (await a.until(4))[3];
    expect(next).toMatchObject({ cluster: 'prod-1', health: 'Degraded' });

    // A reconnect with Last-Event-ID gets what came after it, still only its tenant's.
    const resumed = await Stream.open(hub, alice, '', { 'last-event-id': forA[0].id });
    expect((await resumed.until(3)).map((e) => e.id)).toEqual(
      a
        .received()
        .slice(1)
        .map((e) => e.id),
    );
    const mine = await Stream.open(hub, bob, '?tenant=team-a');
    expect(mine.status).toBe(404);
    for (const stream of [a, b, all, resumed]) stream.close();
  });

  it('shows the matrix with revision, shown sync state and rollups per binding and commit', async () => {
    const answer = await fleet();
    expect(answer.status).toBe(200);
    expect(cells(answer.body)).toEqual(['api@dev-1', 'api@prod-1', 'web@dev-1', 'web@prod-1', 'web@prod-2']);
    expect(answer.body.items.find((i: Json) => i.cluster === 'prod-1' && i.binding === 'api')).toEqual({
      tenant: 'team-b',
      binding: 'api',
      cluster: 'prod-1',
      revision: 3,
      commit: commit('c'),
      syncState: 'Synced',
      health: 'Healthy',
      lastError: null,
      updatedAt: expect.any(String),
    });
    expect(answer.body.rollups).toEqual([
      {
        tenant: 'team-a',
        binding: 'web',
        commit: commit('c'),
        clusters: 3,
        synced: 2,
        outOfSync: 0,
        failed: 1,
        healthy: 0,
        progressing: 1,
        degraded: 2,
        missing: 0,
        unknown: 0,
      },
      {
        tenant: 'team-b',
        binding: 'api',
        commit: commit('c'),
        clusters: 2,
        synced: 1,
        outOfSync: 1,
        failed: 0,
        healthy: 2,
        progressing: 0,
        degraded: 0,
        missing: 0,
        unknown: 0,
      },
    ]);
    expect(answer.body.nextCursor).toBeNull();

    // Synced, but on a bundle the cluster's assignment no longer names: not caught up.
    await report('prod-2', { binding: 'web', digest: digest(9) });
    const behind = await fleet('?binding=web&labelSelector=env%3Dprod');
    expect(behind.body.items.find((i: Json) => i.cluster === 'prod-2')).toMatchObject({
      syncState: 'OutOfSync',
      revision: null,
      commit: commit('e'),
      lastError: null,
    });
    expect(behind.body.rollups.map((r: Json) => [r.commit, r.clusters])).toEqual([
      [commit('c'), 1],
      [commit('e'), 1],
    ]);
  });

  it('filters by tenant, binding, label selector and state', async () => {
    expect(cells((await fleet('?tenant=team-a')).body)).toEqual(['web@dev-1', 'web@prod-1', 'web@prod-2']);
    expect(cells((await fleet('?binding=api')).body)).toEqual(['api@dev-1', 'api@prod-1']);
    expect(cells((await fleet('?labelSelector=env%20in%20(prod)')).body)).toEqual([
      'api@prod-1',
      'web@prod-1',
      'web@prod-2',
    ]);
    expect(cells((await fleet('?labelSelector=env!%3Dprod&binding=web')).body)).toEqual(['web@dev-1']);
    expect(cells((await fleet('?state=OutOfSync')).body)).toEqual(['api@dev-1', 'web@prod-2']);
    expect(cells((await fleet('?state=Degraded')).body)).toEqual(['web@prod-1']);
    expect(cells((await fleet('?state=Progressing&tenant=team-a')).body)).toEqual(['web@dev-1']);
    expect((await fleet('?state=Missing')).body).toMatchObject({ items: [], rollups: [] });
  });

  it('pages by cursor without gaps or repeats; rollups come with the first page', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Json = (await fleet(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.rollups === null).toBe(pages > 0);
      seen.push(...page.items.map((i: Json) => `${i.binding}@${i.cluster}`));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['api@dev-1', 'api@prod-1', 'web@dev-1', 'web@prod-1', 'web@prod-2']);
  });

  it('answers bad input with 400 naming the field', async () => {
    for (const [query, field] of [
      ['?state=Broken', 'state'],
      ['?limit=0', 'limit'],
      ['?cursor=bm9wZQ', 'cursor'],
      ['?labelSelector=env%20in%20(a', 'labelSelector'],
      ['?tenant=Not_A_Slug', 'tenant'],
      ['?colour=red', 'colour'],
    ]) {
      const answer = await fleet(query);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(answer.body), query).toContain(`"${field}"`);
    }
  });

  it("never shows a tenant another tenant's rows", async () => {
    const mine = await fleet('', alice);
    expect(mine.status).toBe(200);
    expect(new Set(mine.body.items.map((i: Json) => i.tenant))).toEqual(new Set(['team-a']));
    expect(mine.body.rollups.map((r: Json) => r.tenant)).toEqual(['team-a', 'team-a']);
    expect(cells((await fleet('?binding=api', alice)).body)).toEqual([]);
    expect((await fleet('?tenant=team-b', alice)).status).toBe(404);
    expect(cells((await fleet('', bob)).body)).toEqual(['api@dev-1', 'api@prod-1']);
    // No permission anywhere: refused, not an empty list.
    expect((await fleet('', await hub.user('carol'))).status).toBe(403);
  });

  it('exports fleet gauges on /metrics, computed at scrape', async () => {
    const text: string = (await hub.call('GET', '/metrics', { token: null })).body;
    expect(text).toContain('flotilla_clusters{state="Pending"} 3');
    expect(text).toContain('flotilla_deployments{sync_state="OutOfSync",health="Healthy"} 2');
    expect(text).toContain('flotilla_deployments{sync_state="Synced",health="Degraded"} 1');
    expect(text).toContain('flotilla_event_subscribers 0');
    await hub.sql(`UPDATE cluster SET last_seen_at = now() WHERE name = 'prod-1'`);
    const after: string = (await hub.call('GET', '/metrics', { token: null })).body;
    expect(after).toContain('flotilla_clusters{state="Pending"} 2');
    expect(after).toContain('flotilla_clusters{state="Online"} 1');
  });

  it('leaves a pair alone when a newer report repeats it: no write, no history, no event', async () => {
    const stream = await Stream.open(hub, hub.adminToken);
    const history = async () =>
      (
        await hub.sql(`SELECT count(*)::int AS n FROM sync_history WHERE cluster_id = $1`, [
          cluster['prod-2'],
        ])
      )[0].n as number;
    await report('prod-2', { binding: 'web', health: 'Progressing' });
    await stream.until(1);
    const appended = await history();

    // The same state again, with the binding listed twice: one row, the first entry counts.
    await report('prod-2', { binding: 'web', health: 'Progressing' }, { binding: 'web', health: 'Healthy' });
    expect(
      await hub.sql(`SELECT report_seq, health FROM deployment_status WHERE cluster_id = $1`, [
        cluster['prod-2'],
      ]),
    ).toEqual([{ report_seq: String(seq - 1), health: 'Progressing' }]);
    expect(await history()).toBe(appended);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.received()).toHaveLength(1);
    stream.close();
  });
});
