import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { Public } from '../rbac/require-permission.js';
import { HubMetrics } from './metrics.js';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly db: Db,
    @Inject(HubMetrics) private readonly metrics: HubMetrics,
  ) {}

  @Get('healthz')
  @Public()
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Public()
  async readyz() {
    try {
      await this.db.dataSource.query('SELECT 1');
    } catch {
      throw new Problem('unavailable', 'PostgreSQL is not reachable');
    }
    return { status: 'ok', checks: { postgres: 'ok' } };
  }

  @Get('metrics')
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText() {
    return this.metrics.registry.metrics();
  }
}
