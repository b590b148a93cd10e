import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHub } from './harness.js';

describe('tenants', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await TestHub.start();
  });
  afterAll(() => hub?.stop());

  it('onboards with quotas, updates, and refuses duplicates', async () => {
    const created = await hub.call('POST', '/api/v1/tenants', {
      body: { slug: 'payments', displayName: 'Payments', quotas: { clusters: 3, bindings: 20 } },
    });
    expect(created.status).toBe(201);
    expect(created.body.quotas).toEqual({ clusters: 3, bindings: 20 });
    const updated = await hub.call('PATCH', '/api/v1/tenants/payments', {
      body: { quotas: { clusters: 5 } },
    });
    expect(updated.body).toMatchObject({ displayName: 'Payments', quotas: { clusters: 5 } });
    expect((await hub.call('GET', '/api/v1/tenants/payments')).body.quotas).toEqual({ clusters: 5 });
    expect((await hub.call('PATCH', '/api/v1/tenants/payments', { body: {} })).status).toBe(400);
    expect(
      (await hub.call('POST', '/api/v1/tenants', { body: { slug: 'payments', displayName: 'X' } })).status,
    ).toBe(409);
  });

  it('a race to create the same slug yields one 201 and 409s, never a 500', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        hub.call('POST', '/api/v1/tenants', { body: { slug: 'racy', displayName: 'R' } }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    await hub.call('DELETE', '/api/v1/tenants/racy');
  });

  it('lists with limit and an opaque cursor', async () => {
    for (const slug of ['t-1', 't-2', 't-3', 't-4', 't-5']) await hub.tenant(slug);
    const first = await hub.call('GET', '/api/v1/tenants?limit=2');
    expect(first.body.items.map((t: { slug: string }) => t.slug)).toEqual(['payments', 't-1']);
    const second = await hub.call('GET', `/api/v1/tenants?limit=2&cursor=${first.body.nextCursor as string}`);
    expect(second.body.items.map((t: { slug: string }) => t.slug)).toEqual(['t-2', 't-3']);
    const last = await hub.call('GET', `/api/v1/tenants?limit=4&cursor=${second.body.nextCursor as string}`);
    expect(last.body).toEqual({
      items: [expect.objectContaining({ slug: 't-4' }), expect.objectContaining({ slug: 't-5' })],
      nextCursor: null,
    });
  });

  describe('offboarding', () => {
    const owned = async (tenant: string) =>
      (
        await hub.sql(
          `SELECT (SELECT count(*) FROM role_binding b JOIN tenant t ON t.id = b.tenant_id WHERE t.slug = $1) AS bindings,
                  (SELECT count(*) FROM api_token k JOIN tenant t ON t.id = k.tenant_id WHERE t.slug = $1) AS tokens,
                  (SELECT count(*) FROM role r JOIN tenant t ON t.id = r.tenant_id WHERE t.slug = $1) AS roles`,
          [tenant],
        )
      )[0];

    beforeAll(async () => {
      await hub.tenant('doomed');
      await hub.user('dora');
      await hub.bind('doomed', 'user', 'dora', 'tenant-admin');
      await hub.call('POST', '/api/v1/tokens', {
        body: { name: 'ci', tenant: 'doomed', role: 'tenant-operator' },
      });
      await hub.call('POST', '/api/v1/roles', {
        body: { name: 'custom', tenant: 'doomed', permissions: ['bindings:read'] },
      });
    });

    it('is refused with 409 while the tenant owns things, listing them, and changes nothing', async () => {
      const refused = await hub.call('DELETE', '/api/v1/tenants/doomed');
      expect(refused.status).toBe(409);
      expect(refused.body.owned).toEqual({ roles: 1, roleBindings: 2, tokens: 1 });
      expect(refused.body.detail).toMatch(/force=true/);
      expect(await owned('doomed')).toEqual({ bindings: '2', tokens: '1', roles: '1' });
      expect((await hub.call('GET', '/api/v1/tenants/doomed')).status).toBe(200);
    });

    it('with ?force=true removes the tenant and all it owns, and audits what went', async () => {
      const [{ id }] = await hub.sql(`SELECT id FROM tenant WHERE slug = 'doomed'`);
      expect((await hub.call('DELETE', '/api/v1/tenants/doomed?force=true')).status).toBe(204);
      expect((await hub.call('GET', '/api/v1/tenants/doomed')).status).toBe(404);
      const left = await hub.sql(
        `SELECT (SELECT count(*) FROM role_binding WHERE tenant_id = $1) + (SELECT count(*) FROM api_token WHERE tenant_id = $1)
              + (SELECT count(*) FROM role WHERE tenant_id = $1) AS n`,
        [id],
      );
      expect(left[0].n).toBe('0');
      const [event] = (await hub.call('GET', '/api/v1/audit?action=tenants:delete')).body.items;
      expect(event).toMatchObject({
        tenant: 'doomed',
        before: { slug: 'doomed', owned: { roles: 1, roleBindings: 2, tokens: 1 } },
      });
      // the slug is free again
      expect(
        (await hub.call('POST', '/api/v1/tenants', { body: { slug: 'doomed', displayName: 'Again' } }))
          .status,
      ).toBe(201);
    });

    it('an empty tenant goes without force', async () => {
      await hub.tenant('empty');
      expect((await hub.call('DELETE', '/api/v1/tenants/empty')).status).toBe(204);
    });
  });
});
