import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, type AuthContext } from '../../auth/auth-context.js';
import { ValidQuery } from '../../common/validation.js';
import { RequirePermission } from '../../rbac/require-permission.js';
import { RouteTenant } from '../../rbac/route-tenant.js';
import type { TenantEntity } from '../../tenants/tenant.entity.js';
import { eventsSchema } from '../fleet.dto.js';
import { FleetEvents, type FleetEnvelope } from './fleet-events.js';

/** Proxies close idle connections; a comment line every 15 s keeps the stream open. */
const HEARTBEAT_MS = 15_000;
/** A subscriber this far behind is not reading: drop it rather than buffer without bound. */
const MAX_BUFFERED_BYTES = 1 << 20;

@ApiTags('fleet')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: FleetEvents) {}

  /**
   * Server-sent events of the tenants where the caller holds `bindings:read` (or the one named).
   * The scope is fixed when the stream opens; a permission revoked later ends with the stream.
   */
  @Get()
  @ApiOperation({ summary: 'Live deployment status changes (text/event-stream); honours Last-Event-ID' })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'tenant', required: false })
  @RequirePermission('bindings:read', { tenantQuery: 'tenant', otherwise: 'any' })
  stream(
    @Auth() auth: AuthContext,
    @RouteTenant() tenant: TenantEntity | undefined,
    @ValidQuery(eventsSchema) _query: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const readable = tenant ? [tenant.id] : auth.access.tenantsWith('bindings:read');
    const visible = (envelope: FleetEnvelope) => readable === 'all' || readable.includes(envelope.tenantId);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    let unsubscribe = () => {};
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    const close = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    unsubscribe = this.events.subscribe((envelope) => {
      if (!visible(envelope)) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        close();
        res.end();
        return;
      }
      res.write(
        `id: ${envelope.id}\nevent: ${envelope.event.type}\ndata: ${JSON.stringify(envelope.event)}\n\n`,
      );
    }, req.header('last-event-id'));
    res.on('close', close);
  }
}
