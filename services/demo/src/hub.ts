import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createHubApp } from '../../hub/src/app.factory.js';
import { ConfigError, loadConfig } from '../../hub/src/config/config.js';
import { HubMessaging, natsUrl } from '../../hub/src/messaging/hub-messaging.service.js';
import { BundleSigner } from '../../hub/src/revisions/bundle-signer.js';
import { DemoError } from './errors.js';

export interface HubOptions {
  port: number;
  natsPort: number;
  databaseUrl: string;
  /** The hub's data directory (NATS config and JetStream, Git caches, keys). */
  dataDir: string;
  adminPassword: string;
  /** The local Git server, allowed although it is plain http on a private address. */
  gitBaseUrl: string;
}

export interface RunningHub {
  url: string;
  /** The managed nats-server agents dial. */
  natsUrl: string;
  bundlePublicKey: string;
  stop(): Promise<void>;
}

/**
 * The real hub, in this process: the same factory as `npm start`, so the demo runs the full
 * middleware stack, migrations and managed NATS. The caller's FLOTILLA_* settings apply unless
 * the demo must own them (port, database, data dir, NATS mode).
 */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  let config;
  try {
    config = loadConfig({
      FLOTILLA_LOG_LEVEL: 'warn',
      // The demo's data lives as long as its database: a fresh key per start, no warning about a key file.
      FLOTILLA_ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
      ...process.env,
      FLOTILLA_PORT: String(options.port),
      FLOTILLA_DATABASE_URL: options.databaseUrl,
      FLOTILLA_DATA_DIR: options.dataDir,
      FLOTILLA_NATS_MODE: 'managed',
      FLOTILLA_NATS_URL: undefined,
      FLOTILLA_NATS_PORT: String(options.natsPort),
      FLOTILLA_ADMIN_PASSWORD: options.adminPassword,
      FLOTILLA_GIT_ALLOWED_HOSTS: options.gitBaseUrl,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new DemoError(error.message);
    throw error;
  }
  await ensurePortFree(config.FLOTILLA_PORT, config.FLOTILLA_HOST);
  const { app } = await createHubApp(config);
  try {
    // Fails here (not on the first agent) when managed NATS cannot start.
    await app.get(HubMessaging).ready();
    await app.listen(config.FLOTILLA_PORT, config.FLOTILLA_HOST);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new DemoError(`the hub could not start: ${(error as Error).message}`);
  }
  return {
    url: `http://localhost:${options.port}`,
    natsUrl: natsUrl(config),
    bundlePublicKey: app.get(BundleSigner).publicKey,
    stop: () => app.close(),
  };
}

/** Checked before the hub starts: a hub stopped halfway through its start is noisier than this message. */
function ensurePortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new DemoError(`port ${port} is in use: stop what runs there or choose another with --port`)
          : error,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
