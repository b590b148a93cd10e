import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHub } from './harness.js';

interface Event {
  id: string;
  action: string;
  actor: { kind: string; name: string };
  tenant: string | null;
  target: string | null;
  outcome: string;
  requestId: string | null;
  at: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describe('audit trail', () => {
  let hub: TestHub;
  let alice: string;

  beforeAll(async () => {
    hub = await TestHub.start();
    await hub.tenant('team-a');
    await hub.tenant('team-b');
    alice = await hub.user('alice');
    await hub.bind('team-a', 'user', 'alice', 'tenant-admin');
  });
  afterAll(() => hub?.stop());

  const events = async (query = '') =>
    (await hub.call<{ items: Event[] }>('GET', `/api/v1/audit?limit=500${query}`)).body.items;

  it('records each mutation with actor, tenant, target, request id, time and a before/after summary', async () => {
    const started = Date.now();
    const changed = await hub.call('PATCH', '/api/v1/tenants/team-a', {
      body: { displayName: 'Team A, renamed' },
      headers: { 'x-request-id': 'rename-team-a-1' },
    });
    expect(changed.status).toBe(200);
    const [event] = await events('&action=tenants:update');
    expect(event).toMatchObject({
      action: 'tenants:update',
      actor: { kind: 'user', name: 'admin' },
      tenant: 'team-a',
      target: 'tenant/team-a',
      outcome: 'success',
      requestId: 'rename-team-a-1',
      before: { displayName: 'team-a' },
      after: { displayName: 'Team A, renamed' },
    });
    expect(Date.parse(event!.at)).toBeGreaterThanOrEqual(started - 1000);
  });

  it('records every kind of mutation', async () => {
    const token = await hub.call('POST', '/api/v1/tokens', {
      token: alice,
      body: { name: 'ci', tenant: 'team-a' },
    });
    await hub.call('DELETE', `/api/v1/tokens/${token.body.id as string}`, { token: alice });
    await hub.call('POST', '/api/v1/users', { body: { username: 'dave', password: 'dave-password-123' } });
    await hub.call('POST', '/api/v1/users/dave/reset-password', { body: { password: 'dave-password-456' } });
    await hub.call('POST', '/api/v1/users/dave/disable');
    await hub.call('POST', '/api/v1/roles', {
      body: { name: 'r1', permissions: ['bindings:read'], tenant: 'team-a' },
    });
    await hub.call('DELETE', '/api/v1/roles/r1?tenant=team-a');
    const id = await hub.bind('team-a', 'user', 'dave', 'tenant-viewer');
    await hub.call('DELETE', `/api/v1/tenants/team-a/role-bindings/${id}`);
    await hub.call('DELETE', '/api/v1/tenants/team-b');
    const actions = new Set((await events('&outcome=success')).map((e) => e.action));
    for (const action of [
      'tenants:create',
      'tenants:update',
      'tenants:delete',
      'users:create',
      'users:reset-password',
      'users:disable',
      'tokens:create',
      'tokens:revoke',
      'roles:create',
      'roles:delete',
      'rolebindings:create',
      'rolebindings:delete',
      'auth:login',
    ]) {
      expect(actions, action).toContain(action);
    }
  });

  it('never stores a secret: no password, token secret or hash in any event', async () => {
    const created = await hub.call('POST', '/api/v1/tokens', { body: { name: 'secretive' } });
    const rows = await hub.sql('SELECT before::text AS b, after::text AS a FROM audit_event');
    const everything = JSON.stringify(rows);
    expect(everything).not.toContain(created.body.secret);
    expect(everything).not.toContain('dave-password');
    expect(everything).not.toMatch(/\$argon2id\$/);
  });

  it('records refusals: 401, 403 and 404-by-permission', async () => {
    await hub.call('GET', '/api/v1/users', { token: null, headers: { 'x-request-id': 'anon-probe' } });
    await hub.call('GET', '/api/v1/users', { token: alice, headers: { 'x-request-id': 'alice-403' } });
    await hub.call('GET', '/api/v1/tenants/team-zz', {
      token: alice,
      headers: { 'x-request-id': 'alice-404' },
    });
    await hub.call('POST', '/api/v1/auth/login', {
      token: null,
      body: { username: 'alice', password: 'wrong-password' },
    });
    const denied = await events('&outcome=denied');
    expect(denied.find((e) => e.requestId === 'anon-probe')).toMatchObject({
      actor: { kind: 'anonymous' },
      action: 'users:read',
      target: 'GET /api/v1/users',
    });
    expect(denied.find((e) => e.requestId === 'alice-403')).toMatchObject({
      actor: { name: 'alice' },
      action: 'users:read',
    });
    expect(denied.find((e) => e.requestId === 'alice-404')).toMatchObject({ action: 'tenants:read' });
    expect(denied.some((e) => e.action === 'auth:login' && e.target === 'user/alice')).toBe(true);
  });

  it('filters by tenant, actor, action, outcome and time, and pages with a cursor', async () => {
    const all = await events();
    expect((await events('&actor=user:alice')).every((e) => e.actor.name === 'alice')).toBe(true);
    expect((await events('&tenant=team-a')).every((e) => e.tenant === 'team-a')).toBe(true);
    expect(await events(`&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual(
      [],
    );
    expect(
      (await events(`&until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).length,
    ).toBe(all.length);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Event[]; nextCursor: string | null } } = await hub.call(
        'GET',
        `/api/v1/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id)); // newest first, nothing lost or repeated
  });

  it('shows a tenant admin only the events of their tenants', async () => {
    const answer = await hub.call<{ items: Event[] }>('GET', '/api/v1/audit?limit=500', { token: alice });
    expect(answer.status).toBe(200);
    expect(answer.body.items.length).toBeGreaterThan(3);
    expect(answer.body.items.every((e) => e.tenant === 'team-a')).toBe(true);
  });

  it('the database refuses to change or delete events', async () => {
    await expect(hub.sql(`UPDATE audit_event SET action = 'nothing' WHERE id = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(hub.sql(`DELETE FROM audit_event WHERE id = 1`)).rejects.toThrow(/append-only/);
    await expect(hub.sql(`TRUNCATE audit_event`)).rejects.toThrow(/append-only/);
  });

  it('keeps one unbroken chain under concurrent writers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hub.call('POST', '/api/v1/tenants', { body: { slug: `burst-${i}`, displayName: 'Burst' } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect((await hub.call('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: true });
  });

  describe('verify', () => {
    const verify = async () => (await hub.call('GET', '/api/v1/audit/verify')).body;
    const asSuperuser = async (statement: string) => {
      await hub.sql(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change`);
      try {
        await hub.sql(statement);
      } finally {
        await hub.sql(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change`);
      }
    };

    it('accepts the untouched chain', async () => {
      const result = await verify();
      expect(result).toMatchObject({ ok: true, broken: null });
      expect(result.checked).toBeGreaterThan(20);
    });

    it('detects a modified event, and accepts it again once restored', async () => {
      const [original] = await hub.sql(`SELECT actor_name FROM audit_event WHERE id = 5`);
      await asSuperuser(`UPDATE audit_event SET actor_name = 'someone-else' WHERE id = 5`);
      expect(await verify()).toMatchObject({
        ok: false,
        broken: { id: '5', reason: expect.stringMatching(/modified/) },
      });
      await asSuperuser(
        `UPDATE audit_event SET actor_name = '${original.actor_name as string}' WHERE id = 5`,
      );
      expect((await verify()).ok).toBe(true);
    });

    it('detects the last events being cut off', async () => {
      const [last] = await hub.sql(`SELECT * FROM audit_event ORDER BY id DESC LIMIT 1`);
      await asSuperuser(`DELETE FROM audit_event WHERE id = ${last.id as string}`);
      expect(await verify()).toMatchObject({
        ok: false,
        broken: { reason: expect.stringMatching(/deleted/) },
      });
      const columns = Object.keys(last);
      await hub.sql(
        `INSERT INTO audit_event (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        columns.map((column) =>
          column === 'before' || column === 'after' ? JSON.stringify(last[column]) : last[column],
        ),
      );
      expect((await verify()).ok).toBe(true);
    });

    it('detects a deleted event in the middle', async () => {
      await asSuperuser(`DELETE FROM audit_event WHERE id = 7`);
      expect(await verify()).toMatchObject({
        ok: false,
        checked: 6,
        broken: { id: '8', reason: expect.stringMatching(/event 7 is missing/) },
      });
    });
  });
});
