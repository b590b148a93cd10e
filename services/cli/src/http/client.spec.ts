import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../errors.js';
import { HubClient } from './client.js';
import { HubProblem } from './problem.js';
import { api, get, post } from './request.js';

// A real HTTP server on loopback playing the hub's part for the client's edge cases.
let server: Server;
let url: string;
const seen: { method?: string; url?: string; authorization?: string; body?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      const path = req.url!.split('?')[0];
      const problem = (status: number, extra: object) => {
        res.writeHead(status, { 'content-type': 'application/problem+json' });
        res.end(
          JSON.stringify({ type: `https://flotilla.dev/problems/x${status}`, title: 't', status, ...extra }),
        );
      };
      if (path === '/api/v1/pages') {
        const cursor = new URL(req.url!, 'http://x').searchParams.get('cursor');
        res.end(
          JSON.stringify(cursor ? { items: [3], nextCursor: null } : { items: [1, 2], nextCursor: 'c1' }),
        );
      } else if (path === '/api/v1/bad')
        problem(400, { detail: 'slug: is required', errors: [{ field: 'slug', message: 'is required' }] });
      else if (path === '/api/v1/denied') problem(403, { detail: 'missing permission tenants:create' });
      else if (path === '/api/v1/gone') problem(404, { detail: 'tenant x not found' });
      else if (path === '/api/v1/proxy') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad gateway</html>');
      } else if (path === '/api/v1/empty') res.writeHead(204).end();
      else res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('HubClient', () => {
  it('sends bearer auth, JSON bodies and query parameters (dropping empty ones)', async () => {
    const client = new HubClient(url, 'tok');
    expect(await client.send(post(api`/things`, { a: 1 }))).toEqual({ ok: true });
    await client.send(get(api`/things`, { tenant: 'a b', cursor: undefined, force: true, empty: '' }));
    expect(seen.at(-2)).toMatchObject({
      method: 'POST',
      url: '/api/v1/things',
      authorization: 'Bearer tok',
      body: '{"a":1}',
    });
    expect(seen.at(-1)!.url).toBe('/api/v1/things?tenant=a+b&force=true');
    expect(await client.send(post(api`/empty`))).toBeUndefined();
  });

  it('follows nextCursor through every page', async () => {
    expect(await new HubClient(url).all(get(api`/pages`))).toEqual([1, 2, 3]);
  });

  it('turns problem+json into typed errors with exit codes', async () => {
    const client = new HubClient(url);
    const bad = await client.send(get(api`/bad`)).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(HubProblem);
    expect(bad).toMatchObject({
      status: 400,
      type: 'https://flotilla.dev/problems/x400',
      detail: 'slug: is required',
      exitCode: ExitCode.error,
    });
    expect((bad as HubProblem).fieldErrors).toEqual([{ field: 'slug', message: 'is required' }]);
    await expect(client.send(get(api`/denied`))).rejects.toMatchObject({
      exitCode: ExitCode.forbidden,
      message: 'missing permission tenants:create',
    });
    await expect(client.send(get(api`/gone`))).rejects.toMatchObject({ exitCode: ExitCode.notFound });
    await expect(client.send(get(api`/proxy`))).rejects.toMatchObject({
      status: 502,
      message: '<html>Bad gateway</html>',
    });
  });

  it('names the URL when the hub cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(new HubClient(`http://127.0.0.1:${port}`).send(get(api`/me`))).rejects.toMatchObject({
      exitCode: ExitCode.unavailable,
      message: `cannot reach the hub at http://127.0.0.1:${port}/api/v1/me: ECONNREFUSED`,
    });
  });
});
