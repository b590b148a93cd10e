import type { StatusMessage } from '@flotilla/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { BindingsRepository } from '../bindings/bindings.repository.js';
import { Db } from '../database/db.js';
import { FleetEvents } from '../fleet/events/fleet-events.js';
import { AssignmentStateRepository } from '../scheduler/assignment-state.repository.js';
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
    private readonly states: AssignmentStateRepository,
    private readonly bindings: BindingsRepository,
    private readonly deployments: DeploymentsRepository,
    private readonly events: FleetEvents,
  ) {}

  async ingest(clusterId: string, message: StatusMessage): Promise<void> {
    if (message.kind !== 'status') return;
    const stored: { bindingId: string; clusterId: string }[] = [];
    await this.db.transaction(async () => {
      const assigned = new Set((await this.states.find(clusterId))?.bindingIds ?? []);
      const receivedAt = new Date();
      for (const status of message.bindings) {
        const binding = assigned.has(status.bindingId)
          ? await this.bindings.findById(status.bindingId)
          : null;
        if (!binding) {
          this.logger.warn(
            `cluster ${clusterId} reported binding ${status.bindingId}, not assigned to it: ignored`,
          );
          continue;
        }
        const fresh = await this.deployments.record({
          tenantId: binding.tenantId,
          bindingId: binding.id,
          clusterId,
          seq: message.seq,
          receivedAt,
          status,
        });
        if (fresh) stored.push({ bindingId: binding.id, clusterId });
      }
    });
    // After the commit, so a subscriber reading the fleet view sees what the event said.
    await this.events.reported(stored);
  }
}
