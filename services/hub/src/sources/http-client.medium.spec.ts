import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHttpClient } from './http-client.js';

describe('createGitHttpClient', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: 'http://169.254.169.254/' });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(1000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const drain = async (body: AsyncIterableIterator<Uint8Array> | undefined) => {
    let size = 0;
    for await (const chunk of body!) size += chunk.length;
    return size;
  };

  it('refuses at connect time a name that resolves to an internal address (DNS rebinding)', async () => {
    const client = createGitHttpClient({
      allowedHosts: [],
      signal: AbortSignal.timeout(5_000),
      maxResponseBytes: 10_000,
    });
    await expect(client.request({ url: `http://localhost:${port}/` })).rejects.toThrow(
      /resolved to internal address/,
    );
  });

  it('talks to allow-listed hosts, does not follow redirects, and caps response size', async () => {
    const client = createGitHttpClient({
      allowedHosts: [`localhost:${port}`],
      signal: AbortSignal.timeout(5_000),
      maxResponseBytes: 500,
    });
    const redirect = await client.request({ url: `http://localhost:${port}/redirect` });
    expect(redirect.statusCode).toBe(302);
    await drain(redirect.body);
    const big = await client.request({ url: `http://localhost:${port}/` });
    await expect(drain(big.body)).rejects.toThrow(/exceeds the limit of 500 bytes \(maxPackBytes\)/);
  });
});
