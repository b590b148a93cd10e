import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One registry per hub instance (not prom-client's global), so tests can run several hubs. */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly requests = new Histogram({
    name: 'flotilla_http_request_duration_seconds',
    help: 'HTTP requests served by the hub, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Labels by route template (`/api/v1/tenants/:tenant`), never the raw path, to bound cardinality. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const stop = this.requests.startTimer();
      res.on('finish', () => {
        const route = req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
        stop({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }
}
