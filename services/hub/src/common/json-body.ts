import express, { NextFunction, Request, Response } from 'express';
import { toProblemBody, sendProblem } from './problem.filter.js';
import { Problem } from './problem.js';

/**
 * JSON body parsing with a size limit. Parser errors are answered here as problem+json
 * because they happen before Nest's router (and its exception filters) see the request.
 */
export function jsonBody(limit: string) {
  const parse = express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const failure = error as { type?: string; status?: number };
      const problem =
        failure.type === 'entity.too.large'
          ? new Problem('payloadTooLarge', `request body exceeds ${limit}`)
          : failure.type === 'entity.parse.failed'
            ? new Problem('malformedJson', 'request body is not valid JSON')
            : failure.status === 415
              ? new Problem('unsupportedMediaType', 'unsupported body encoding')
              : new Problem('validation', 'request body could not be read');
      sendProblem(res, toProblemBody(problem, req));
    });
}
