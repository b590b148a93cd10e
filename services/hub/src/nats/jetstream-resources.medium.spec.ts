import { ASSIGNMENTS_BUCKET, STATUS_STREAM, wildcards } from '@flotilla/contracts';
import { startNatsServer, type NatsTestServer } from '@flotilla/testing';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureJetStreamResources } from './jetstream-resources.js';
import { NatsAuthority } from './nats-authority.js';
import { connectWith } from './testing/operator-nats.js';

describe('a server run from renderServerConfig', () => {
  const authority = NatsAuthority.generate();
  let server: NatsTestServer;
  let hub: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer({
      renderConfig: (paths) => authority.renderServerConfig({ ...paths, host: '127.0.0.1' }),
    });
    hub = await connectWith(server.url, await authority.mintHubCredentials());
  });

  afterAll(async () => {
    await hub?.close();
    await server?.stop();
  });

  it('accepts the hub and carries the configured payload limit', () => {
    expect(hub.info?.max_payload).toBe(8 * 1024 * 1024);
  });

  it('gets its JetStream resources, idempotently', async () => {
    await ensureJetStreamResources(hub);
    await ensureJetStreamResources(hub, { statusMaxAgeMs: 60_000 });

    const jsm = await jetstreamManager(hub);
    const bucket = await jsm.streams.info(`KV_${ASSIGNMENTS_BUCKET}`);
    expect(bucket.config.allow_direct).toBe(true);
    expect(bucket.config.storage).toBe(StorageType.File);

    const status = await jsm.streams.info(STATUS_STREAM);
    expect(status.config.subjects).toEqual([wildcards.status]);
    expect(status.config.storage).toBe(StorageType.File);
    expect(status.config.max_age).toBe(60_000 * 1_000_000);
    expect(status.config.max_bytes).toBeGreaterThan(0);
  });

  it('rejects nonsensical limits before touching the server', async () => {
    await expect(ensureJetStreamResources(hub, { replicas: 0 })).rejects.toThrow(
      /replicas must be a positive integer/,
    );
  });
});
