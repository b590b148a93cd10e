import { Injectable, Logger } from '@nestjs/common';
import { FleetRepository, type FleetRow } from '../fleet.repository.js';
import { toFleetItem } from '../fleet-view.js';

/** A binding on a cluster changed what it runs or how well (the matrix cell, as the API shows it). */
export type DeploymentEvent = { type: 'deployment' } & Omit<ReturnType<typeof toFleetItem>, 'updatedAt'> & {
    at: string;
  };

export interface FleetEnvelope {
  id: string;
  /** For filtering by the subscriber's tenants; never sent. */
  tenantId: string;
  event: DeploymentEvent;
}

export type FleetSubscriber = (envelope: FleetEnvelope) => void;

/** Events kept for `Last-Event-ID` replay after a reconnect. */
const REPLAY = 1_000;

/**
 * The in-process hub of fleet events. Fed after a status report's transaction committed; every
 * subscriber gets every event and filters by its own tenants. Ids are `<process>-<n>`: they
 * restart with the hub, so a `Last-Event-ID` from another process replays nothing.
 */
@Injectable()
export class FleetEvents {
  private readonly logger = new Logger('FleetEvents');
  private readonly process = Date.now().toString(36);
  private seq = 0;
  private readonly recent: FleetEnvelope[] = [];
  private readonly subscribers = new Set<FleetSubscriber>();
  /** Last published state per pair: a report that changes nothing visible is no event. */
  private readonly shown = new Map<string, string>();

  constructor(private readonly fleet: FleetRepository) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** The pairs a status report stored; resolves once their events went out. Never rejects. */
  async reported(pairs: { bindingId: string; clusterId: string }[]): Promise<void> {
    try {
      for (const row of await this.fleet.pairs(pairs)) this.publish(row);
    } catch (error) {
      this.logger.warn(`fleet events not published: ${(error as Error).message}`);
    }
  }

  /** Replays what came after `lastEventId` (when this process still holds it), then follows. */
  subscribe(subscriber: FleetSubscriber, lastEventId?: string): () => void {
    const [process, n] = (lastEventId ?? '').split('-');
    if (process === this.process && n) {
      for (const envelope of this.recent) {
        if (Number(envelope.id.split('-')[1]) > Number(n)) subscriber(envelope);
      }
    }
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  private publish(row: FleetRow): void {
    const { updatedAt, ...item } = toFleetItem(row);
    const key = `${row.bindingId}/${row.clusterId}`;
    const state = JSON.stringify([item.syncState, item.health, item.revision, item.commit, item.lastError]);
    if (this.shown.get(key) === state) return;
    this.shown.set(key, state);
    const envelope: FleetEnvelope = {
      id: `${this.process}-${++this.seq}`,
      tenantId: row.tenantId,
      event: { type: 'deployment', ...item, at: updatedAt },
    };
    this.recent.push(envelope);
    if (this.recent.length > REPLAY) this.recent.shift();
    for (const subscriber of this.subscribers) {
      try {
        subscriber(envelope);
      } catch (error) {
        this.logger.warn(`fleet event subscriber failed: ${(error as Error).message}`);
      }
    }
  }
}
