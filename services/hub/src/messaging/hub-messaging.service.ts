import {
  nativeCredsAuthenticator,
  type Assignment,
  type HubOp,
  type StatusMessage,
} from '@flotilla/contracts';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import type { ServiceCredentials } from '../nats/index.js';
import {
  HubConnection,
  type RegistrationHandler,
  type StatusBatchIngest,
  type StatusIngest,
  type StatusListener,
} from './hub-connection.js';
import type { HubOpHandler } from './hub-ops.js';
import { ManagedNatsServer, writeNatsConfigs } from './managed-nats.js';
import { NatsAuthorityService } from './nats-authority.service.js';

export type NatsMode = 'managed' | 'external' | 'disabled';
export type StatusDerivation = (clusterId: string, message: StatusMessage) => Promise<void>;

export type MessagingHealth =
  { state: 'disabled' | 'connected' } | { state: 'connecting' | 'failed'; detail: string };

export function natsMode(config: HubConfig): NatsMode {
  return config.FLOTILLA_NATS_MODE ?? (config.FLOTILLA_NATS_URL ? 'external' : 'managed');
}

/** The URL the hub connects to (managed: its own server on FLOTILLA_NATS_PORT). */
export function natsUrl(config: HubConfig): string {
  return config.FLOTILLA_NATS_URL ?? `nats://127.0.0.1:${config.FLOTILLA_NATS_PORT}`;
}

export class MessagingUnavailableError extends Error {
  override readonly name = 'MessagingUnavailableError';
}

function connectAs(url: string, credentials: ServiceCredentials, name: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    authenticator: nativeCredsAuthenticator(credentials.creds),
    inboxPrefix: credentials.inboxPrefix,
    // Once connected, reconnect forever; the first connect is retried by `start`.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  });
}

const RETRY_MS = 2_000;

/**
 * The hub's NATS wiring. Other modules register agent-facing operations with `serve`, status
 * listeners with `onStatus`, and write assignments with `putAssignment`. NATS being down never
 * stops the hub: the API keeps working, `/readyz` says what is wrong, the hub keeps retrying.
 */
@Injectable()
export class HubMessaging implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HubMessaging');
  readonly mode: NatsMode;
  readonly #handlers = new Map<HubOp, HubOpHandler<HubOp>>();
  readonly #listeners: StatusListener[] = [];
  readonly #derivations: StatusDerivation[] = [];
  #registration: RegistrationHandler | null = null;
  #ingest: StatusIngest | null = null;
  #health: MessagingHealth;
  #server: ManagedNatsServer | null = null;
  #claimsUpdater: NatsConnection | null = null;
  #connection: HubConnection | null = null;
  #ready: Promise<HubConnection> | null = null;
  #stopping = false;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly authority: NatsAuthorityService,
    private readonly db: Db,
  ) {
    this.mode = natsMode(config);
    this.#health =
      this.mode === 'disabled' ? { state: 'disabled' } : { state: 'connecting', detail: 'starting' };
  }

  /** Serves `flotilla.hub.<id>.<op>`; one handler per operation. */
  serve<Op extends HubOp>(op: Op, handler: HubOpHandler<Op>): void {
    if (this.#handlers.has(op)) throw new Error(`hub operation ${op} is already served`);
    this.#handlers.set(op, handler as unknown as HubOpHandler<HubOp>);
  }

  serveRegistration(handler: RegistrationHandler): void {
    this.#registration = handler;
  }

  /** Where status messages are stored (the clusters module). */
  ingestStatusWith(ingest: StatusIngest): void {
    this.#ingest = ingest;
  }

  /** Called with every newly ingested status message, after it was committed. */
  onStatus(listener: StatusListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Called with every newly ingested status message inside the transaction that stores it, for
   * state derived from reports: it commits with the message (acknowledged only after that), or
   * rolls back with it and the stream redelivers — a crash in between loses nothing. What others
   * observe (events) goes through `db.afterCommit`, so nobody hears of a report rolled back.
   */
  onStatusInTransaction(derive: StatusDerivation): void {
    this.#derivations.push(derive);
  }

  health(): MessagingHealth {
    return this.#health;
  }

  /** Resolves once connected (JetStream resources in place, requests served). */
  ready(): Promise<HubConnection> {
    if (!this.#ready) return Promise.reject(new MessagingUnavailableError('NATS messaging is disabled'));
    return this.#ready;
  }

  async putAssignment(clusterId: string, assignment: Assignment): Promise<void> {
    if (assignment.clusterId !== clusterId) {
      throw new Error(`assignment of ${assignment.clusterId} cannot be stored for cluster ${clusterId}`);
    }
    await this.connected().putAssignment(assignment);
  }

  getAssignment(clusterId: string): Promise<Assignment | null> {
    return this.connected().getAssignment(clusterId);
  }

  async deleteAssignment(clusterId: string): Promise<void> {
    if (this.#connection) await this.#connection.deleteAssignment(clusterId);
  }

  private connected(): HubConnection {
    if (!this.#connection) {
      throw new MessagingUnavailableError(
        this.mode === 'disabled' ? 'NATS messaging is disabled' : 'the hub is not connected to NATS',
      );
    }
    return this.#connection;
  }

  onApplicationBootstrap(): void {
    if (this.mode === 'disabled') {
      this.logger.warn('FLOTILLA_NATS_MODE=disabled: agents cannot connect to this hub');
      return;
    }
    // Not awaited: a missing NATS must not keep the API from starting.
    this.#ready = this.start();
    this.#ready.catch((error: unknown) => {
      const hint =
        this.mode === 'managed'
          ? `is ${this.config.FLOTILLA_NATS_SERVER_BINARY} installed and port ${this.config.FLOTILLA_NATS_PORT} free? (FLOTILLA_NATS_PORT)`
          : `is the server at ${natsUrl(this.config)} running with the configuration the hub wrote to ${this.config.FLOTILLA_DATA_DIR}/nats/?`;
      const detail = `${(error as Error).message} — ${hint}`;
      this.#health = { state: 'failed', detail };
      this.logger.error(`NATS messaging unavailable: ${detail}`);
    });
  }

  private async start(): Promise<HubConnection> {
    const authority = this.authority.authority;
    const files = await writeNatsConfigs(
      authority,
      this.config.FLOTILLA_DATA_DIR,
      this.config.FLOTILLA_NATS_PORT,
    );
    this.logger.log(`NATS configuration written to ${files.local} (Kubernetes: ${files.kubernetes})`);
    if (this.mode === 'managed') {
      this.#server = await ManagedNatsServer.start(this.config.FLOTILLA_NATS_SERVER_BINARY, files.local);
      this.logger.log(`started nats-server (operator mode) on port ${this.config.FLOTILLA_NATS_PORT}`);
    }
    const url = natsUrl(this.config);
    this.#claimsUpdater = await this.retry(url, () =>
      authority.mintClaimsUpdaterCredentials().then((creds) => connectAs(url, creds, 'flotilla-hub-claims')),
    );
    this.authority.useClaimsUpdater(this.#claimsUpdater);
    // Revocations recorded while disconnected (or by another replica) reach the server now.
    await this.authority.push();
    const nc = await this.retry(url, () =>
      authority.mintHubCredentials().then((creds) => connectAs(url, creds, 'flotilla-hub')),
    );
    this.watch(nc);
    const connection = await HubConnection.open(nc, this.#handlers, () => this.#registration);
    const ingest = this.#ingest;
    if (ingest) {
      const ingestAndDerive: StatusBatchIngest = (deliveries) =>
        this.db.transaction(async () => {
          const fresh: boolean[] = [];
          for (const { clusterId, message } of deliveries) {
            const stored = await ingest(clusterId, message);
            if (stored) for (const derive of this.#derivations) await derive(clusterId, message);
            fresh.push(stored);
          }
          return fresh;
        });
      connection.consumeStatus(ingestAndDerive, this.#listeners);
    }
    this.#connection = connection;
    this.#health = { state: 'connected' };
    this.logger.log(`connected to NATS at ${url}`);
    if (this.#stopping) await this.close();
    return connection;
  }

  /** Keeps trying the first connect (NATS may start after the hub) until shut down. */
  private async retry(url: string, attempt: () => Promise<NatsConnection>): Promise<NatsConnection> {
    for (let failures = 0; ; failures++) {
      if (this.#stopping) throw new MessagingUnavailableError('hub is shutting down');
      try {
        return await attempt();
      } catch (error) {
        const detail = `cannot connect to NATS at ${url}: ${(error as Error).message}`;
        this.#health = { state: 'connecting', detail };
        if (failures % 15 === 0) this.logger.warn(`${detail}; retrying every ${RETRY_MS / 1000}s`);
        await new Promise((resume) => setTimeout(resume, RETRY_MS));
      }
    }
  }

  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') {
          this.#health = { state: 'connecting', detail: 'NATS connection lost, reconnecting' };
          this.logger.warn('NATS connection lost, reconnecting');
        } else if (status.type === 'reconnect') {
          this.#health = { state: 'connected' };
          void this.authority.push();
        }
      }
    })();
  }

  async onApplicationShutdown(): Promise<void> {
    this.#stopping = true;
    // A start still retrying its first connect gives up within one retry pause.
    await this.#ready?.catch(() => undefined);
    await this.close();
  }

  private async close(): Promise<void> {
    this.authority.useClaimsUpdater(null);
    await this.#connection?.close();
    await this.#claimsUpdater?.close().catch(() => undefined);
    await this.#server?.stop();
  }
}
