import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { HubMetrics } from '../health/metrics.js';
import { HubMessaging } from '../messaging/hub-messaging.service.js';
import { FleetEvents } from './events/fleet-events.js';
import { FleetRepository } from './fleet.repository.js';

/**
 * Fleet metrics on the hub's registry. The gauges are computed on scrape (one grouped query
 * each), so they are right on every replica and cost nothing between scrapes. No tenant label:
 * its cardinality is unbounded; per-tenant detail is what the fleet API is for.
 */
@Injectable()
export class FleetMetrics implements OnModuleInit {
  private readonly statusMessages: Counter<'kind'>;
  private readonly ingestLag: Histogram;
  private readonly reconcileDurations: Histogram<'sync_state'>;

  constructor(
    @Inject(HubMetrics) metrics: HubMetrics,
    @Inject(HUB_CONFIG) config: HubConfig,
    fleet: FleetRepository,
    events: FleetEvents,
    private readonly messaging: HubMessaging,
  ) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'flotilla_clusters',
      help: 'Registered clusters by state (Pending: never seen; Offline: silent for too long)',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of await fleet.clusterStates(config.FLOTILLA_CLUSTER_OFFLINE_AFTER_SECONDS))
          this.set({ state: row.state }, row.count);
      },
    });
    new Gauge({
      name: 'flotilla_deployments',
      help: 'Binding × cluster pairs that reported status, by sync state and health',
      labelNames: ['sync_state', 'health'] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of await fleet.stateCounts())
          this.set({ sync_state: row.syncState, health: row.health }, row.count);
      },
    });
    new Gauge({
      name: 'flotilla_event_subscribers',
      help: 'Open server-sent event streams (GET /api/v1/events)',
      registers,
      collect() {
        this.set(events.subscriberCount);
      },
    });
    this.statusMessages = new Counter({
      name: 'flotilla_status_messages_total',
      help: 'Agent status messages ingested (redeliveries not counted), by kind',
      labelNames: ['kind'] as const,
      registers,
    });
    this.ingestLag = new Histogram({
      name: 'flotilla_status_ingest_lag_seconds',
      help: 'From an agent sending a status message to the hub committing it',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.reconcileDurations = new Histogram({
      name: 'flotilla_reconcile_duration_seconds',
      help: 'Agent reconciles of one binding as reported, by resulting sync state',
      labelNames: ['sync_state'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
  }

  onModuleInit(): void {
    this.messaging.onStatus((_clusterId, message) => {
      this.statusMessages.inc({ kind: message.kind });
      // An agent's clock may run ahead; a negative lag says nothing about the hub.
      this.ingestLag.observe(Math.max(0, (Date.now() - Date.parse(message.sentAt)) / 1000));
      if (message.kind !== 'status') return;
      for (const binding of message.bindings)
        this.reconcileDurations.observe({ sync_state: binding.syncState }, binding.durations.totalMs / 1000);
    });
  }
}
