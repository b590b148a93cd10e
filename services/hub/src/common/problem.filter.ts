import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { Problem, ProblemBody, ProblemKind, ProblemType } from './problem.js';

const kindByStatus: Partial<Record<number, ProblemKind>> = {
  400: 'validation',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
  429: 'rateLimited',
};

/** Turns every error into application/problem+json; unknown errors become a 500 without internals. */
export function toProblemBody(error: unknown, req: Request): ProblemBody {
  let body: ProblemBody;
  if (error instanceof Problem) {
    body = error.body();
  } else if (error instanceof HttpException) {
    const status = error.getStatus();
    const kind = kindByStatus[status];
    const type = kind ? ProblemType[kind] : { uri: 'about:blank', title: HttpStatus[status] ?? 'Error' };
    body = { type: type.uri, title: type.title, status, detail: error.message };
  } else if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
    // A unique index caught a race two requests both passed the service's existence check in.
    body = new Problem('conflict', 'a resource with this name already exists').body();
  } else {
    const type = ProblemType.internal;
    body = { type: type.uri, title: type.title, status: type.status };
  }
  return { ...body, instance: req.originalUrl?.split('?')[0], requestId: req.id as string | undefined };
}

export function sendProblem(res: Response, body: ProblemBody): void {
  if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="flotilla"');
  if (typeof body.retryAfter === 'number') res.setHeader('Retry-After', String(body.retryAfter));
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

/** The one place errors leave the hub — and where refusals are written to the audit trail. */
@Catch()
@Injectable()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(private readonly audit: AuditService) {}

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const body = toProblemBody(error, req);
    if (body.status >= 500) this.logger.error({ err: error, requestId: req.id }, 'request failed');
    if (error instanceof Problem && error.denial) {
      const { actor, requestId, ...event } = error.denial;
      await this.audit.denied(actor, requestId, event).catch((failure: unknown) => {
        this.logger.error({ err: failure, requestId: req.id }, 'could not audit a refusal');
      });
    }
    sendProblem(http.getResponse<Response>(), body);
  }
}
