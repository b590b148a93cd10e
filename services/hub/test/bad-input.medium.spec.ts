import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHub, type Answer } from './harness.js';

describe('bad input: 4xx problem+json naming the field, nothing stored', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await TestHub.start();
    await hub.tenant('team-a');
  });
  afterAll(() => hub?.stop());

  const counts = async () =>
    (
      await hub.sql(`SELECT (SELECT count(*) FROM tenant) AS tenants, (SELECT count(*) FROM hub_user) AS users,
                            (SELECT count(*) FROM api_token) AS tokens, (SELECT count(*) FROM role_binding) AS bindings,
                            (SELECT count(*) FROM role) AS roles`)
    )[0];

  const expectProblem = (answer: Answer, status: number, type: string) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status, type: `https://flotilla.dev/problems/${type}` });
  };

  it('malformed JSON → 400 malformed-json', async () => {
    const before = await counts();
    const answer = await hub.call('POST', '/api/v1/tenants', { raw: '{"slug": "team-x", ' });
    expectProblem(answer, 400, 'malformed-json');
    expect(await counts()).toEqual(before);
  });

  it('an oversized body → 413 before anything is parsed', async () => {
    const before = await counts();
    const answer = await hub.call('POST', '/api/v1/tenants', {
      body: { slug: 'big', displayName: 'x'.repeat(300 * 1024) },
    });
    expectProblem(answer, 413, 'payload-too-large');
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['wrong type', '/api/v1/tenants', { slug: 42, displayName: 'X' }, 'slug'],
    ['missing field', '/api/v1/tenants', { slug: 'team-x' }, 'displayName'],
    ['unknown field', '/api/v1/tenants', { slug: 'team-x', displayName: 'X', owner: 'me' }, 'owner'],
    [
      'nested unknown field',
      '/api/v1/tenants',
      { slug: 'team-x', displayName: 'X', quotas: { gpus: 1 } },
      'quotas.gpus',
    ],
    [
      'negative quota',
      '/api/v1/tenants',
      { slug: 'team-x', displayName: 'X', quotas: { clusters: -1 } },
      'quotas.clusters',
    ],
    ['short password', '/api/v1/users', { username: 'eve', password: 'short' }, 'password'],
    ['bad username', '/api/v1/users', { username: "eve'--", password: 'long-enough-password' }, 'username'],
    ['bad duration', '/api/v1/tokens', { name: 'ci', expiresIn: '30x' }, 'expiresIn'],
    ['unknown permission', '/api/v1/roles', { name: 'r', permissions: ['root:all'] }, 'permissions.0'],
    [
      'bad subject kind',
      '/api/v1/tenants/team-a/role-bindings',
      { subject: { kind: 'robot', name: 'x' }, role: 'tenant-viewer' },
      'subject.kind',
    ],
    [
      'unknown subject',
      '/api/v1/tenants/team-a/role-bindings',
      { subject: { kind: 'user', name: 'ghost' }, role: 'tenant-viewer' },
      'subject.name',
    ],
    [
      'unknown role',
      '/api/v1/tenants/team-a/role-bindings',
      { subject: { kind: 'user', name: 'admin' }, role: 'overlord' },
      'role',
    ],
  ])('%s → 400 naming %s', async (_case, path, body, field) => {
    const before = await counts();
    const answer = await hub.call('POST', path, { body });
    expectProblem(answer, 400, 'validation');
    expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(answer.body.detail).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('does not echo a rejected password', async () => {
    const answer = await hub.call('POST', '/api/v1/users', {
      body: { username: 'eve', password: 'tiny-pw' },
    });
    expect(JSON.stringify(answer.body)).not.toContain('tiny-pw');
  });

  it.each([
    "team-a'; DROP TABLE tenant; --",
    'team%',
    'team_a',
    'Team-A',
    '-team',
    'team-',
    'a'.repeat(64),
    '',
    // unicode confusables: Cyrillic е, fullwidth letters, Unicode hyphen, zero-width space, dotless ı
    'tеam-a',
    'ｔｅａｍ',
    'team‐a',
    'team-a\u200b',
    'tıam',
  ])('slug %j → 400 naming slug, nothing stored', async (slug) => {
    const before = await counts();
    const answer = await hub.call('POST', '/api/v1/tenants', { body: { slug, displayName: 'X' } });
    expectProblem(answer, 400, 'validation');
    expect(answer.body.errors[0].field).toBe('slug');
    expect(await counts()).toEqual(before);
  });

  it('a malformed tenant in the path, body or query → 400 naming it', async () => {
    const inPath = await hub.call('GET', `/api/v1/tenants/${encodeURIComponent("x' OR '1'='1")}`);
    expectProblem(inPath, 400, 'validation');
    expect(inPath.body.errors[0].field).toBe('tenant');
    const inBody = await hub.call('POST', '/api/v1/tokens', { body: { name: 'ci', tenant: ['team-a'] } });
    expectProblem(inBody, 400, 'validation');
    const inQuery = await hub.call('GET', `/api/v1/audit?tenant=${encodeURIComponent('tеam-a')}`);
    expectProblem(inQuery, 400, 'validation');
  });

  it('bad ids, cursors, limits and query fields → 400 naming them', async () => {
    const id = await hub.call('DELETE', '/api/v1/tokens/not-a-uuid');
    expectProblem(id, 400, 'validation');
    expect(id.body.errors[0].field).toBe('id');
    const cursor = await hub.call('GET', '/api/v1/tenants?cursor=garbage');
    expect(cursor.body.errors[0].field).toBe('cursor');
    const limit = await hub.call('GET', '/api/v1/tenants?limit=100000');
    expect(limit.body.errors[0].field).toBe('limit');
    const unknown = await hub.call('GET', '/api/v1/tenants?sort=slug');
    expect(unknown.body.errors[0]).toEqual({ field: 'sort', message: 'unknown field' });
    const since = await hub.call('GET', '/api/v1/audit?since=yesterday');
    expect(since.body.errors[0].field).toBe('since');
  });

  it('conflicts → 409, and unknown routes → 404, as problem+json', async () => {
    expectProblem(
      await hub.call('POST', '/api/v1/tenants', { body: { slug: 'team-a', displayName: 'A' } }),
      409,
      'conflict',
    );
    expectProblem(await hub.call('GET', '/api/v1/nothing-here'), 404, 'not-found');
  });
});
