import {
  clusterIdFromSubject,
  ContractViolationError,
  HUB_QUEUE_GROUP,
  hubOpFromSubject,
  messages,
  STATUS_STREAM,
  subjects,
  wildcards,
  type Assignment,
  type HubOp,
  type RegisterRequest,
  type RegisterResponse,
  type StatusMessage,
} from '@flotilla/contracts';
import { AckPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { ensureJetStreamResources } from '../nats/index.js';
import { BatchLanes } from './batch-lanes.js';
import { hubOpCodecs, type HubOpHandler } from './hub-ops.js';

export const STATUS_CONSUMER = 'flotilla-hub-status';
/**
 * Status ingest lanes: each stores its clusters' messages in transactions of its own, so lanes
 * stay below the database pool size (data-source.ts). Ingest is bound by round trips and
 * commits, not CPU: one message at a time would cap the hub far below a large fleet's report
 * rate, and a lane that fell behind stores what queued up in one transaction (one commit).
 */
export const STATUS_LANES = 16;
const STATUS_BATCH = 32;

/** Stores one status message; resolves true when it was new (false: a redelivery, skipped). */
export type StatusIngest = (clusterId: string, message: StatusMessage) => Promise<boolean>;
export interface StatusDelivery {
  clusterId: string;
  message: StatusMessage;
}
/** Stores status messages in order, all or none; resolves to `StatusIngest`'s answer for each. */
export type StatusBatchIngest = (deliveries: readonly StatusDelivery[]) => Promise<boolean[]>;
export type StatusListener = (clusterId: string, message: StatusMessage) => void;
/** `afterReply` runs once the answer is sent (e.g. revoking the bootstrap user the reply travels to). */
export type RegistrationHandler = (
  clusterId: string,
  request: RegisterRequest,
) => Promise<{ response: RegisterResponse; afterReply?: () => Promise<void> }>;

const nanos = (ms: number) => ms * 1_000_000;

/**
 * The hub's side of one NATS connection: serves agent requests (queue group, so replicas share
 * the load), writes assignments, consumes the status stream. Cluster identity always comes from
 * the subject a message arrived on, which the sender's credential confines to its own cluster.
 */
export class HubConnection {
  private readonly logger = new Logger('HubMessaging');
  readonly #subs: Subscription[] = [];
  #consuming: Promise<void> | null = null;
  #stopping = false;

  private constructor(
    readonly nc: NatsConnection,
    private readonly kv: KV,
    private readonly handlers: ReadonlyMap<HubOp, HubOpHandler<HubOp>>,
    private readonly registration: () => RegistrationHandler | null,
  ) {}

  static async open(
    nc: NatsConnection,
    handlers: ReadonlyMap<HubOp, HubOpHandler<HubOp>>,
    registration: () => RegistrationHandler | null,
  ): Promise<HubConnection> {
    const { assignments } = await ensureJetStreamResources(nc);
    const connection = new HubConnection(nc, assignments, handlers, registration);
    connection.serveRequests();
    return connection;
  }

  private serveRequests(): void {
    this.#subs.push(
      this.nc.subscribe(wildcards.hubRequests, {
        queue: HUB_QUEUE_GROUP,
        callback: (error, msg) => {
          if (!error) void this.answer(msg);
        },
      }),
      this.nc.subscribe(wildcards.register, {
        queue: HUB_QUEUE_GROUP,
        callback: (error, msg) => {
          if (!error) void this.answerRegistration(msg);
        },
      }),
    );
  }

  private async answer(msg: Msg): Promise<void> {
    const clusterId = clusterIdFromSubject(msg.subject);
    const op = hubOpFromSubject(msg.subject);
    const handler = op && this.handlers.get(op);
    if (!clusterId || !op || !handler) return; // nobody serves it: the agent times out
    const codec = hubOpCodecs[op];
    try {
      let request: unknown;
      try {
        request = codec.request.decode(msg.data);
      } catch (error) {
        if (!(error instanceof ContractViolationError) || !codec.invalid) throw error;
        msg.respond(codec.response.encode(codec.invalid(error.message)));
        return;
      }
      msg.respond(codec.response.encode(await handler(clusterId, request as never)));
    } catch (error) {
      this.logger.error(`${op} request of cluster ${clusterId} failed: ${(error as Error).message}`);
    }
  }

  private async answerRegistration(msg: Msg): Promise<void> {
    const clusterId = clusterIdFromSubject(msg.subject);
    const handler = this.registration();
    if (!clusterId || !handler || msg.subject !== subjects.register(clusterId)) return;
    let outcome: Awaited<ReturnType<RegistrationHandler>>;
    try {
      outcome = await handler(clusterId, messages.registerRequest.decode(msg.data));
    } catch (error) {
      if (!(error instanceof ContractViolationError)) {
        this.logger.error(`registration of cluster ${clusterId} failed: ${(error as Error).message}`);
        return;
      }
      outcome = { response: { status: 'refused', reason: 'invalid-request', message: error.message } };
    }
    msg.respond(messages.registerResponse.encode(outcome.response));
    if (!outcome.afterReply) return;
    try {
      await this.nc.flush();
      await outcome.afterReply();
    } catch (error) {
      this.logger.error(`after registering cluster ${clusterId}: ${(error as Error).message}`);
    }
  }

  async putAssignment(assignment: Assignment): Promise<number> {
    const sequence = await this.kv.put(assignment.clusterId, messages.assignment.encode(assignment));
    // A hint only: an agent that misses it still re-reads on reconnect and on its poll.
    this.nc.publish(
      subjects.agentNotify(assignment.clusterId),
      messages.assignmentNotice.encode({ revision: assignment.revision }),
    );
    return sequence;
  }

  async getAssignment(clusterId: string): Promise<Assignment | null> {
    const entry = await this.kv.get(clusterId);
    return entry?.operation === 'PUT' ? messages.assignment.decode(entry.value) : null;
  }

  async deleteAssignment(clusterId: string): Promise<void> {
    await this.kv.purge(clusterId);
  }

  /**
   * Consumes the status stream through a durable consumer: a message is acknowledged only
   * after `ingest` committed it, so a hub that stops mid-way gets it again (and `ingest`
   * skips what it already has). Messages of different clusters are stored concurrently; one
   * cluster's are stored in stream order, each after the previous one committed.
   */
  consumeStatus(ingest: StatusBatchIngest, listeners: readonly StatusListener[]): void {
    this.#consuming ??= this.consumeLoop(ingest, listeners);
  }

  private async consumeLoop(ingest: StatusBatchIngest, listeners: readonly StatusListener[]): Promise<void> {
    const lanes = new BatchLanes<JsMsg>({
      lanes: STATUS_LANES,
      maxBatch: STATUS_BATCH,
      capacity: STATUS_LANES * STATUS_BATCH,
      handle: (batch) => this.ingestBatch(batch, ingest, listeners),
      failed: (error) => this.logger.error(`status messages not handled: ${(error as Error).message}`),
    });
    while (!this.#stopping && !this.nc.isClosed()) {
      try {
        // Set up inside the loop: a hub closed right after start, or a JetStream hiccup while
        // creating the consumer, must end or retry the loop, never reject unobserved.
        const batch = await (await this.statusConsumer()).consume({ max_messages: 100 });
        for await (const msg of batch) {
          if (this.#stopping) break;
          // The subject names the cluster: its messages share a lane.
          await lanes.push(msg.subject, msg);
        }
      } catch (error) {
        if (this.#stopping || this.nc.isClosed()) break;
        this.logger.warn(`status consumer interrupted, resuming: ${(error as Error).message}`);
        await new Promise((resume) => setTimeout(resume, 1_000));
      }
    }
    await lanes.idle();
  }

  /** The hub replicas' one durable consumer of the status stream (creating it is idempotent). */
  private async statusConsumer() {
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.add(STATUS_STREAM, {
      durable_name: STATUS_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      filter_subject: wildcards.status,
    });
    return jetstream(this.nc).consumers.get(STATUS_STREAM, STATUS_CONSUMER);
  }

  /** Drops (terminates) what breaks the contract, stores the rest, then acks and announces. */
  private async ingestBatch(msgs: JsMsg[], ingest: StatusBatchIngest, listeners: readonly StatusListener[]) {
    const valid: (StatusDelivery & { msg: JsMsg })[] = [];
    for (const msg of msgs) {
      const clusterId = clusterIdFromSubject(msg.subject);
      if (!clusterId || msg.subject !== subjects.status(clusterId)) {
        msg.term('not a cluster status subject');
        continue;
      }
      try {
        valid.push({ clusterId, message: messages.statusMessage.decode(msg.data), msg });
      } catch (error) {
        this.logger.warn(`dropped a status message of cluster ${clusterId}: ${(error as Error).message}`);
        msg.term('breaks the status contract');
      }
    }
    if (valid.length) await this.store(valid, ingest, listeners);
  }

  private async store(
    deliveries: (StatusDelivery & { msg: JsMsg })[],
    ingest: StatusBatchIngest,
    listeners: readonly StatusListener[],
  ): Promise<void> {
    let fresh: boolean[];
    try {
      fresh = await ingest(deliveries);
    } catch (error) {
      if (deliveries.length > 1) {
        // One message that cannot be stored must not hold back the others: each on its own,
        // in order, and only the failing one is redelivered.
        for (const delivery of deliveries) await this.store([delivery], ingest, listeners);
        return;
      }
      const clusterId = deliveries[0]!.clusterId;
      this.logger.error(`could not store status of cluster ${clusterId}: ${(error as Error).message}`);
      deliveries[0]!.msg.nak(5_000);
      return;
    }
    deliveries.forEach(({ clusterId, message, msg }, i) => {
      msg.ack();
      if (fresh[i]) this.announce(clusterId, message, listeners);
    });
  }

  private announce(clusterId: string, message: StatusMessage, listeners: readonly StatusListener[]) {
    for (const listener of listeners) {
      try {
        listener(clusterId, message);
      } catch (error) {
        this.logger.error(`status listener failed: ${(error as Error).message}`);
      }
    }
  }

  async close(): Promise<void> {
    this.#stopping = true;
    for (const sub of this.#subs) sub.unsubscribe();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
    await this.#consuming?.catch(() => undefined);
  }
}
