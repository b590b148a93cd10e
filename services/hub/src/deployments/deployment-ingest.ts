import type { BindingStatus, StatusMessage } from '@flotilla/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { Db } from '../database/db.js';
import { FleetEvents } from '../fleet/events/fleet-events.js';
import { DeploymentsRepository } from './deployments.repository.js';

/**
 * Turns a cluster's status report into deployment status rows. The cluster is the one the
 * report's subject names; a binding counts only if that cluster's published assignment holds
 * it, so an agent cannot write status for another tenant's binding (or a cluster it is not on).
 * Runs inside the status ingest transaction: a report is stored completely or redelivered.
 */
@Injectable()
export class DeploymentIngest {
  private readonly logger = new Logger('DeploymentIngest');

  constructor(
    private readonly db: Db,
    private readonly deployments: DeploymentsRepository,
    private readonly events: FleetEvents,
  ) {}

  async ingest(clusterId: string, message: StatusMessage): Promise<void> {
    if (message.kind !== 'status') return;
    await this.db.transaction(async () => {
      // A binding listed twice counts once, as its first entry.
      const reported = new Map<string, BindingStatus>();
      for (const status of message.bindings) {
        if (!reported.has(status.bindingId)) reported.set(status.bindingId, status);
      }
      const { stored, unassigned } = await this.deployments.record({
        clusterId,
        seq: message.seq,
        receivedAt: new Date(),
        bindings: [...reported.values()],
      });
      for (const bindingId of unassigned) {
        this.logger.warn(`cluster ${clusterId} reported binding ${bindingId}, not assigned to it: ignored`);
      }
      // Only pairs whose visible state changed (a steady-state report would be no event anyway),
      // and only once the surrounding status ingest transaction committed: a subscriber reading
      // the fleet view then sees what the event said, and a rolled-back report is no event.
      const changed = stored
        .filter((pair) => pair.visible)
        .map(({ bindingId }) => ({ bindingId, clusterId }));
      if (changed.length) await this.db.afterCommit(() => this.events.reported(changed));
    });
  }
}
