import { DynamicModule, Module } from '@nestjs/common';
import { HubMetrics } from '../health/metrics.js';
import { EventsController } from './events/events.controller.js';
import { FleetEvents } from './events/fleet-events.js';
import { FleetController } from './fleet.controller.js';
import { FleetMetrics } from './fleet-metrics.js';
import { FleetRepository } from './fleet.repository.js';
import { FleetService } from './fleet.service.js';

/**
 * Fleet-wide views: the status matrix, live events and metrics. Global so the deployments
 * ingest (in the GitOps module) can hand its committed changes to `FleetEvents`.
 */
@Module({})
export class FleetModule {
  static forRoot(metrics: HubMetrics): DynamicModule {
    return {
      module: FleetModule,
      global: true,
      controllers: [FleetController, EventsController],
      providers: [
        FleetRepository,
        FleetService,
        FleetEvents,
        FleetMetrics,
        { provide: HubMetrics, useValue: metrics },
      ],
      exports: [FleetEvents],
    };
  }
}
