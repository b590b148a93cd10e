import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Problem } from '../common/problem.js';
import { Db } from '../database/db.js';
import { HubMessaging } from '../messaging/hub-messaging.service.js';
import { Public } from '../rbac/require-permission.js';
import { HubMetrics } from './metrics.js';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly db: Db,
    @Inject(HubMetrics) private readonly metrics: HubMetrics,
    private readonly messaging: HubMessaging,
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
    // Agents cannot register or report without NATS; say why, with the hint the hub logged.
    const nats = this.messaging.health();
    if (nats.state === 'connecting' || nats.state === 'failed') {
      throw new Problem('unavailable', `NATS ${nats.state}: ${nats.detail}`, {
        checks: { postgres: 'ok', nats: nats.state },
      });
    }
    // With NATS switched off (FLOTILLA_NATS_MODE=disabled) there is nothing to check.
    return {
      status: 'ok',
      checks: { postgres: 'ok', ...(nats.state === 'connected' ? { nats: 'ok' } : {}) },
    };
  }

  @Get('metrics')
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText() {
    return this.metrics.registry.metrics();
  }
}
