import {
  ASSIGNMENTS_BUCKET,
  messages,
  subjects,
  type Assignment,
  type AssignmentNotice,
  type BundleFetchResponse,
  type ClusterId,
  type HelloRequest,
  type HelloResponse,
  type StatusMessage,
} from '@flotilla/contracts';
import { jetstream, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import { requestHub } from './hub-request.js';

export interface AgentChannelOptions {
  requestTimeoutMs: number;
  /** Told about notices that do not match the contract (they still trigger a re-read). */
  onProtocolError?: (error: Error) => void;
}

/**
 * Everything an agent says to or hears from the hub, over one NATS connection confined to
 * its cluster's subjects.
 */
export class AgentChannel {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #opts: AgentChannelOptions;
  #kv: Promise<KV> | null = null;

  constructor(
    readonly clusterId: ClusterId,
    nc: NatsConnection,
    opts: AgentChannelOptions,
  ) {
    this.#nc = nc;
    // checkAPI would call $JS.API.INFO, which an agent is not allowed to.
    this.#js = jetstream(nc, { checkAPI: false, timeout: opts.requestTimeoutMs });
    this.#opts = opts;
  }

  /** Introduces the agent; the hub answers accepted or refused (e.g. protocol mismatch). */
  hello(payload: HelloRequest): Promise<HelloResponse> {
    return requestHub(
      this.#nc,
      subjects.hubRequest(this.clusterId, 'hello'),
      { contract: messages.helloRequest, value: payload },
      messages.helloResponse,
      this.#opts.requestTimeoutMs,
    );
  }

  /**
   * The cluster's current assignment, or null if it has none. Reads the KV key directly and
   * asks the hub only when that read fails (JetStream unavailable, stream lost, …).
   */
  async requestAssignment(): Promise<Assignment | null> {
    let direct: { raw: Uint8Array | null } | { error: unknown };
    try {
      direct = { raw: await this.#readOwnKey() };
    } catch (error) {
      direct = { error };
    }
    if ('raw' in direct) {
      // A stored document that breaks the contract is a hub bug, not a transport failure.
      return this.#checkOwn(direct.raw && messages.assignment.decode(direct.raw));
    }
    let fromHub: Assignment | null;
    try {
      fromHub = await this.#askHubForAssignment();
    } catch (hubError) {
      throw new AggregateError(
        [direct.error, hubError],
        `could not read the assignment of ${this.clusterId}`,
        {
          cause: hubError,
        },
      );
    }
    return this.#checkOwn(fromHub);
  }

  #checkOwn(assignment: Assignment | null): Assignment | null {
    if (assignment && assignment.clusterId !== this.clusterId) {
      throw new Error(`assignment for ${assignment.clusterId} delivered to cluster ${this.clusterId}`);
    }
    return assignment;
  }

  async #readOwnKey(): Promise<Uint8Array | null> {
    // Direct get is the only read our permissions allow: it is confined to our one key.
    this.#kv ??= new Kvm(this.#js).open(ASSIGNMENTS_BUCKET, { allow_direct: true });
    const entry = await (await this.#kv).get(this.clusterId);
    return entry?.operation === 'PUT' ? entry.value : null;
  }

  async #askHubForAssignment(): Promise<Assignment | null> {
    const response = await requestHub(
      this.#nc,
      subjects.hubRequest(this.clusterId, 'assignment'),
      { contract: messages.assignmentRequest, value: {} },
      messages.assignmentResponse,
      this.#opts.requestTimeoutMs,
    );
    return response.status === 'ok' ? response.assignment : null;
  }

  /** Asks the hub for a bundle by digest; it answers only for bundles assigned to us. */
  async fetchBundle(digest: string): Promise<BundleFetchResponse> {
    const response = await requestHub(
      this.#nc,
      subjects.hubRequest(this.clusterId, 'bundle'),
      { contract: messages.bundleFetchRequest, value: { digest } },
      messages.bundleFetchResponse,
      this.#opts.requestTimeoutMs,
    );
    if (response.status === 'ok' && response.digest !== digest) {
      throw new Error(`hub answered bundle ${response.digest} for requested ${digest}`);
    }
    return response;
  }

  /** Publishes a status report or heartbeat and resolves once JetStream has stored it. */
  publishStatus(message: StatusMessage): Promise<PubAck> {
    return this.#js.publish(subjects.status(this.clusterId), messages.statusMessage.encode(message));
  }

  /**
   * Calls `callback` on every assignment notice. A notice that does not parse still means
   * "something changed", so it arrives as `null` (re-read) and is reported.
   * Resolves once the server has the subscription (read the assignment after that, and no
   * change can slip between the read and the first notice) to a function that stops listening.
   */
  async onNotify(callback: (notice: AssignmentNotice | null) => void): Promise<() => void> {
    const sub = this.#nc.subscribe(subjects.agentNotify(this.clusterId), {
      callback: (error, msg) => {
        if (error) {
          this.#opts.onProtocolError?.(error);
          return;
        }
        let notice: AssignmentNotice | null = null;
        try {
          notice = messages.assignmentNotice.decode(msg.data);
        } catch (decodeError) {
          this.#opts.onProtocolError?.(decodeError as Error);
        }
        callback(notice);
      },
    });
    await this.#nc.flush();
    return () => sub.unsubscribe();
  }

  /** Connection events (disconnect, reconnect, errors) — resync after every `reconnect`. */
  status(): AsyncIterable<Status> {
    return this.#nc.status();
  }

  /** Resolves when the connection is closed for good (an Error if it closed because of one). */
  closed(): Promise<void | Error> {
    return this.#nc.closed();
  }

  isClosed(): boolean {
    return this.#nc.isClosed();
  }

  /** Closes at once (e.g. after NATS refused the credential, when draining cannot work). */
  close(): Promise<void> {
    return this.#nc.close();
  }

  /** Finishes in-flight messages, then closes the connection. */
  drain(): Promise<void> {
    return this.#nc.drain();
  }
}
