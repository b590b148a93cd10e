import type { KubeConfig } from '@kubernetes/client-node';
import type { KeyPair } from '@nats-io/nkeys';
import { nativeCreateUser, PROTOCOL_VERSION } from '@flotilla/contracts';
import { connectAgent, type AgentChannel } from './connection/index.js';
import { clusterFacts } from './connection/cluster-facts.js';
import {
  CredentialStore,
  REGISTRATION_SECRET,
  type StoredCredentials,
} from './connection/credential-store.js';
import { registerAgent, RegistrationRefusedError } from './connection/registration.js';
import { loadKubeConfig, silentLogger, type KubeConfigSource, type Logger } from './reconcile/index.js';
import type { AgentRuntime } from './runtime/index.js';
import { openReconcileRuntime, type ReconcileRuntimeOptions } from './runtime/reconcile-runtime.js';
import { backoffDelay } from './runtime/backoff.js';
import { AGENT_VERSION } from './version.js';

export type AgentState =
  'starting' | 'registering' | 'connecting' | 'connected' | 'refused' | 'waiting-for-token' | 'stopped';

export interface AgentOptions {
  natsUrl: string | string[];
  /** A registration token; used when no stored credential exists. */
  registrationToken?: string;
  /** Where the agent's Kubernetes access comes from: in-cluster, kubeconfig text or path. */
  kube: KubeConfigSource;
  /** The agent's own namespace (its Secrets live there). */
  namespace?: string;
  logger?: Logger;
  heartbeatIntervalMs?: number;
  /** How often to look for a new registration token while waiting for one. */
  tokenPollIntervalMs?: number;
  /** Base pause between retries of a failed registration or hello (plus up to as much jitter). */
  retryMs?: number;
  /** The assignment revision being enforced, for heartbeats (the reconcile side knows it). */
  assignmentRevision?: () => number | null;
  /** Status sequence (shared with status reports); time-based and monotonic by default. */
  nextSeq?: () => Promise<number> | number;
  /**
   * The reconcile seam: called on every (re)connection once the hub accepted the hello, with the
   * channel to read assignments and publish reports on. May return a cleanup run on disconnect.
   */
  onConnected?: (channel: AgentChannel) => void | (() => void) | Promise<void | (() => void)>;
  /**
   * The reconcile side, over the agent's own kubeconfig and namespace. Given, the runtime is
   * started before the first connection (a cached assignment is enforced while the hub is away)
   * and takes over `onConnected`, `nextSeq` and `assignmentRevision`.
   */
  reconcile?: Omit<ReconcileRuntimeOptions, 'kubeConfig' | 'namespace' | 'logger'>;
}

/** µs since the epoch, never repeating: restarts stay above what the hub has seen. */
export function timeSequence(): () => number {
  let last = 0;
  return () => (last = Math.max(Date.now() * 1000, last + 1));
}

const jitter = (ms: number) => ms + Math.floor(Math.random() * ms);
/** The longest pause between hellos the hub did not answer. */
const HELLO_RETRY_MAX_MS = 30_000;

const isAuthFailure = (error: unknown) =>
  error instanceof Error && /authori[sz]ation|authentication|revoked|expired/i.test(error.message);

/**
 * One cluster's agent connection: trades its registration token once, keeps the credential in a
 * Secret, says hello, sends heartbeats, reconnects, and — when the hub revokes its credential —
 * says so and waits for a new token instead of crash-looping. Holds no module-level state, so a
 * process can run many (simulated fleets).
 */
export class Agent {
  readonly #opts: Required<Omit<AgentOptions, 'registrationToken' | 'onConnected' | 'logger' | 'reconcile'>> &
    Pick<AgentOptions, 'registrationToken' | 'onConnected' | 'reconcile'>;
  readonly #logger: Logger;
  readonly #kubeConfig: KubeConfig;
  readonly #store: CredentialStore;
  readonly #abort = new AbortController();
  /** Tokens that were refused: only a different one is worth trying. */
  readonly #spentTokens = new Set<string>();
  /** The key pair offered with each token, reused if the answer is lost and we ask again. */
  readonly #keys = new Map<string, KeyPair>();
  #state: AgentState = 'starting';
  #clusterId: string | null = null;
  #channel: AgentChannel | null = null;
  #loop: Promise<void> | null = null;
  #runtime: Promise<AgentRuntime> | null = null;

  constructor(opts: AgentOptions) {
    this.#opts = {
      namespace: 'flotilla-system',
      heartbeatIntervalMs: 30_000,
      tokenPollIntervalMs: 15_000,
      retryMs: 2_000,
      nextSeq: timeSequence(),
      assignmentRevision: () => null,
      ...opts,
    };
    this.#logger = opts.logger ?? silentLogger;
    this.#kubeConfig = loadKubeConfig(opts.kube);
    this.#store = new CredentialStore(this.#kubeConfig, this.#opts.namespace);
  }

  get state(): AgentState {
    return this.#state;
  }

  /** Known once registered (or loaded from the stored credential). */
  get clusterId(): string | null {
    return this.#clusterId;
  }

  /** Starts the agent's life in the background; `stop()` ends it. */
  start(): void {
    this.#loop ??= this.run().catch((error: unknown) => {
      this.#logger.error({ err: error }, 'agent stopped on an unexpected error');
      this.#state = 'stopped';
    });
  }

  /** Stops reconciling (reconciles in progress finish and report), drains the connection, stops. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#runtime?.then((runtime) => runtime.stop()).catch(() => undefined);
    await this.#channel?.drain().catch(() => undefined);
    await this.#loop;
    this.#state = 'stopped';
  }

  private get stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const runtime = await this.startRuntime();
    if (runtime) {
      this.#opts.onConnected = (channel) => runtime.onConnected(channel);
      this.#opts.nextSeq = () => runtime.sequence.next();
      this.#opts.assignmentRevision = () => runtime.assignmentRevision;
    }
    while (!this.stopped) {
      const credentials = await this.credentials();
      if (!credentials) continue;
      this.#clusterId = credentials.clusterId;
      const outcome = await this.session(credentials);
      if (outcome === 'revoked') {
        this.#logger.error(
          { clusterId: credentials.clusterId },
          `NATS refused this agent's credential (revoked by the hub: rotated or cluster deleted). ` +
            `Waiting for a new registration token in Secret ${this.#opts.namespace}/${REGISTRATION_SECRET}`,
        );
        await this.#store.clear();
      }
    }
  }

  /** Opens and starts the reconcile runtime (once); null without the `reconcile` option. */
  private startRuntime(): Promise<AgentRuntime | null> {
    const options = this.#opts.reconcile;
    if (!options) return Promise.resolve(null);
    this.#runtime ??= openReconcileRuntime({
      ...options,
      kubeConfig: this.#kubeConfig,
      namespace: this.#opts.namespace,
      logger: this.#logger,
    }).then(async (runtime) => {
      await runtime.start();
      return runtime;
    });
    return this.#runtime;
  }

  /** The stored credential, or a fresh one traded for a token; null to loop (after a pause). */
  private async credentials(): Promise<StoredCredentials | null> {
    const stored = await this.safely('read the stored credential', () => this.#store.load());
    if (stored) return stored;
    if (stored === undefined) return this.pause(this.#opts.retryMs);
    const token = await this.nextToken();
    if (!token) {
      if (this.#state !== 'waiting-for-token') {
        this.#logger.warn(
          {},
          `no usable registration token: put a new one in Secret ${this.#opts.namespace}/${REGISTRATION_SECRET} (key "token")`,
        );
      }
      this.#state = 'waiting-for-token';
      return this.pause(this.#opts.tokenPollIntervalMs);
    }
    this.#state = 'registering';
    try {
      const user = this.#keys.get(token) ?? nativeCreateUser();
      this.#keys.set(token, user);
      const credentials = await registerAgent({
        natsUrl: this.#opts.natsUrl,
        token,
        agentVersion: AGENT_VERSION,
        user,
      });
      this.#keys.delete(token);
      await this.#store.save(credentials);
      this.#logger.info({ clusterId: credentials.clusterId }, 'registered with the hub; credential stored');
      return credentials;
    } catch (error) {
      if (error instanceof RegistrationRefusedError) {
        this.#spentTokens.add(token);
        this.#keys.delete(token);
        this.#logger.error({ reason: error.reason }, `registration refused: ${error.message}`);
      } else {
        this.#logger.warn({ err: (error as Error).message }, 'registration failed; retrying');
      }
      return this.pause(jitter(this.#opts.retryMs));
    }
  }

  private async nextToken(): Promise<string | null> {
    const candidates = [
      this.#opts.registrationToken,
      await this.safely('read the registration Secret', () => this.#store.registrationToken()),
    ];
    return candidates.find((token): token is string => !!token && !this.#spentTokens.has(token)) ?? null;
  }

  /**
   * One connection's life: hello, heartbeats, the reconcile seam. Ends when the agent stops or
   * NATS closes the connection for good (a revoked credential).
   */
  private async session(credentials: StoredCredentials): Promise<'stopped' | 'revoked' | 'lost'> {
    this.#state = 'connecting';
    let channel: AgentChannel;
    try {
      channel = await connectAgent({
        natsUrl: this.#opts.natsUrl,
        creds: credentials.creds,
        clusterId: credentials.clusterId,
        name: `flotilla-agent:${credentials.clusterId}`,
        onProtocolError: (error) => this.#logger.warn({ err: error.message }, 'protocol error'),
      });
    } catch (error) {
      if (isAuthFailure(error)) return 'revoked';
      this.#logger.warn({ err: (error as Error).message }, 'cannot connect to NATS; retrying');
      await this.pause(jitter(this.#opts.retryMs));
      return 'lost';
    }
    this.#channel = channel;
    const stopOnAbort = () => void channel.drain().catch(() => undefined);
    this.#abort.signal.addEventListener('abort', stopOnAbort, { once: true });
    let cleanup: (() => void) | void = undefined;
    const greet = async () => {
      cleanup?.();
      cleanup = undefined;
      if (!(await this.hello(channel))) return;
      cleanup = (await this.#opts.onConnected?.(channel)) ?? undefined;
    };
    let revoked = false;
    void (async () => {
      for await (const status of channel.status()) {
        if (status.type === 'reconnect') void greet();
        // A revoked credential never works again: stop reconnecting with it at once.
        if (status.type === 'error' && isAuthFailure(status.error)) {
          revoked = true;
          await channel.close().catch(() => undefined);
        }
      }
    })();
    await greet();
    const heartbeat = setInterval(() => void this.heartbeat(channel), this.#opts.heartbeatIntervalMs);
    void this.heartbeat(channel);
    const closed = await channel.closed();
    clearInterval(heartbeat);
    (cleanup as (() => void) | void)?.();
    this.#abort.signal.removeEventListener('abort', stopOnAbort);
    this.#channel = null;
    if (this.stopped) return 'stopped';
    if (revoked || (closed instanceof Error && isAuthFailure(closed))) return 'revoked';
    this.#logger.warn(
      { err: closed instanceof Error ? closed.message : undefined },
      'NATS connection closed; reconnecting',
    );
    await this.pause(jitter(this.#opts.retryMs));
    return 'lost';
  }

  /** True when the hub accepted; a refusal (protocol mismatch) is logged and retried later. */
  private async hello(channel: AgentChannel): Promise<boolean> {
    // Backs off exponentially: after a hub restart a whole fleet greets at once, and fixed
    // retries of hellos the hub is too busy to answer in time only keep it busy.
    for (let attempt = 1; !this.stopped && !channel.isClosed(); attempt++) {
      try {
        const facts = await clusterFacts(this.#kubeConfig);
        const answer = await channel.hello({
          agentVersion: AGENT_VERSION,
          protocolVersion: PROTOCOL_VERSION,
          ...facts,
        });
        if (answer.status === 'accepted') {
          this.#state = 'connected';
          this.#logger.info({ clusterId: channel.clusterId }, 'connected; hub accepted hello');
          return true;
        }
        this.#state = 'refused';
        this.#logger.error({ reason: answer.reason }, `hub refused this agent: ${answer.message}`);
        await this.pause(jitter(60_000));
      } catch (error) {
        this.#logger.warn({ err: (error as Error).message }, 'hello failed; retrying');
        await this.pause(backoffDelay(attempt, { baseMs: this.#opts.retryMs, maxMs: HELLO_RETRY_MAX_MS }));
      }
    }
    return false;
  }

  private async heartbeat(channel: AgentChannel): Promise<void> {
    if (this.#state !== 'connected' || channel.isClosed()) return;
    try {
      await channel.publishStatus({
        kind: 'heartbeat',
        seq: await this.#opts.nextSeq(),
        sentAt: new Date().toISOString(),
        agentVersion: AGENT_VERSION,
        protocolVersion: PROTOCOL_VERSION,
        assignmentRevision: this.#opts.assignmentRevision(),
      });
    } catch (error) {
      this.#logger.warn({ err: (error as Error).message }, 'heartbeat not stored; next one follows');
    }
  }

  /** Runs `work`, logging (and answering undefined) when the Kubernetes API fails. */
  private async safely<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      this.#logger.warn({ err: (error as Error).message }, `could not ${what}`);
      return undefined;
    }
  }

  /** Sleeps unless stopped meanwhile; always resolves null (for `return this.pause(…)`). */
  private pause(ms: number): Promise<null> {
    if (this.stopped) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#abort.signal.removeEventListener('abort', done);
        resolve(null);
      };
      const timer = setTimeout(done, ms);
      this.#abort.signal.addEventListener('abort', done, { once: true });
    });
  }
}
