import express, { type NextFunction, type Request, type Response } from 'express';
import { sendProblem, toProblemBody } from '../common/problem.filter.js';
import { Problem } from '../common/problem.js';
import { MAX_WEBHOOK_BODY_BYTES } from '../sources/index.js';

/** Where webhook deliveries arrive; mounted before the JSON parser so it never sees them. */
export const WEBHOOK_PATH = '/api/v1/webhooks';

/**
 * Keeps a webhook delivery's body as raw bytes: its signature is over those exact bytes, and
 * nothing may parse it before the signature is verified. Oversized bodies are refused unread.
 */
export function webhookBody() {
  const raw = express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY_BYTES });
  return (req: Request, res: Response, next: NextFunction) =>
    raw(req, res, (error?: unknown) => {
      if (!error) return next();
      const tooLarge = (error as { type?: string }).type === 'entity.too.large';
      const problem = tooLarge
        ? new Problem('payloadTooLarge', `webhook body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`)
        : new Problem('validation', 'webhook body could not be read');
      sendProblem(res, toProblemBody(problem, req));
    });
}
