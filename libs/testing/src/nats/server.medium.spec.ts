import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsTestServer } from './server.js';

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startNatsServer (plain mode)', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves JetStream, and keeps port and store across a restart', async () => {
    const nc = await connect({ servers: server.url, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'T', subjects: ['t.>'] });
      await jetstream(nc).publish('t.1', 'before');

      const reconnected = (async () => {
        for await (const status of nc.status()) if (status.type === 'reconnect') return;
      })();
      await server.restart({ downtimeMs: 200 });
      await reconnected;

      const info = await (await jetstreamManager(nc)).streams.info('T');
      expect(info.state.messages).toBe(1);
      expect(nc.getServer()).toBe(`127.0.0.1:${server.port}`);
    } finally {
      await nc.close();
    }
  });

  it('reports a configuration the server rejects, with its log', async () => {
    await expect(startNatsServer({ renderConfig: () => 'port: not-a-number {' })).rejects.toThrow(
      /nats-server exited .* before ready/s,
    );
  });

  it('frees the port and removes its directory on stop', async () => {
    const other = await startNatsServer();
    expect(await canConnect(other.port)).toBe(true);
    await other.stop();
    expect(await canConnect(other.port)).toBe(false);
    expect(existsSync(other.dir)).toBe(false);
  });
});
