import { Global, Module } from '@nestjs/common';
import { EventsController } from './events/events.controller.js';
import { FleetEvents } from './events/fleet-events.js';
import { FleetController } from './fleet.controller.js';
import { FleetMetrics } from './fleet-metrics.js';
import { FleetRollupCompactor } from './fleet-rollup-compactor.js';
import { FleetRepository } from './fleet.repository.js';
import { FleetService } from './fleet.service.js';

/**
 * Fleet-wide views: the status matrix, live events and metrics (on the HubMetrics registry the
 * global HealthModule provides). Global so the deployments ingest (in the GitOps module) can
 * hand its committed changes to `FleetEvents`.
 */
@Global()
@Module({
  controllers: [FleetController, EventsController],
  providers: [FleetRepository, FleetService, FleetEvents, FleetMetrics, FleetRollupCompactor],
  exports: [FleetEvents],
})
export class FleetModule {}
