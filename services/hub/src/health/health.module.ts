import { DynamicModule, Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HubMetrics } from './metrics.js';

@Module({})
export class HealthModule {
  static forRoot(metrics: HubMetrics): DynamicModule {
    return {
      module: HealthModule,
      // Global: every module may register its metrics on the hub's one registry.
      global: true,
      controllers: [HealthController],
      providers: [{ provide: HubMetrics, useValue: metrics }],
      exports: [HubMetrics],
    };
  }
}
