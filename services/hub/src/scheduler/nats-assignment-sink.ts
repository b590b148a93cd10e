import { subjects, type Assignment } from '@flotilla/contracts';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureJetStreamResources } from '../nats/index.js';
import type { AssignmentSink } from './assignment-sink.js';

/**
 * Writes assignments to the `assignments` KV bucket and pokes the agent. Connects on first
 * use, so a hub without bindings never needs NATS. Replace with the messaging module's
 * connection once it offers one (it owns NATS credentials in managed mode).
 */
export class NatsAssignmentSink implements AssignmentSink {
  private ready?: Promise<{ nc: NatsConnection; kv: KV }>;

  constructor(private readonly servers: string) {}

  async put(clusterId: string, assignment: Assignment): Promise<void> {
    const { nc, kv } = await this.connection();
    await kv.put(clusterId, JSON.stringify(assignment));
    // A missed notification is covered by the agent's periodic re-read.
    nc.publish(subjects.agentNotify(clusterId), '');
  }

  private connection() {
    this.ready ??= (async () => {
      const nc = await connect({ servers: this.servers, name: 'flotilla-hub-scheduler' });
      const { assignments } = await ensureJetStreamResources(nc);
      return { nc, kv: assignments };
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  async close(): Promise<void> {
    const ready = this.ready;
    this.ready = undefined;
    if (ready) await (await ready.catch(() => undefined))?.nc.drain();
  }
}
