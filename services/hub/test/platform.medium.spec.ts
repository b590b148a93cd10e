import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHub } from './harness.js';

describe('operability: health, metrics, request ids, OpenAPI', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await TestHub.start();
  });
  afterAll(() => hub?.stop());

  it('/healthz and /readyz (which checks Postgres)', async () => {
    expect((await hub.call('GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
    expect((await hub.call('GET', '/readyz', { token: null })).body).toEqual({
      status: 'ok',
      checks: { postgres: 'ok' },
    });
  });

  it('/metrics exposes the HTTP request histogram labelled by route template', async () => {
    await hub.call('GET', '/api/v1/tenants/no-such-tenant');
    const metrics = await hub.call('GET', '/metrics', { token: null });
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(
      /flotilla_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/tenants\/:tenant",status="404"\} 1/,
    );
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });

  it('echoes a sane X-Request-Id, replaces a hostile one, and puts it in problems', async () => {
    const kept = await hub.call('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await hub.call('GET', '/api/v1/users', {
      token: null,
      headers: { 'x-request-id': `<script>${'x'.repeat(200)}` },
    });
    const id = replaced.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.body.requestId).toBe(id);
  });

  it('serves the OpenAPI document and Swagger UI at /docs, with every route’s permission', async () => {
    const ui = await fetch(`${hub.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const doc = await hub.call('GET', '/docs/openapi.json', { token: null });
    expect(doc.body.openapi).toMatch(/^3\./);
    const post = doc.body.paths['/api/v1/tenants'].post;
    expect(post['x-flotilla-permission']).toBe('tenants:create');
    expect(post.requestBody.content['application/json'].schema.properties.slug.pattern).toBeDefined();
    expect(doc.body.paths['/api/v1/tokens'].post.description).toMatch(/shown this once/);
  });
});
