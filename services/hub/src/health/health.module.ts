import { DynamicModule, Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HubMetrics } from './metrics.js';

@Module({})
export class HealthModule {
  static forRoot(metrics: HubMetrics): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: HubMetrics, useValue: metrics }],
    };
  }
}
