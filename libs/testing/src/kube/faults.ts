/**
 * Failure injection for resilience tests: errors (500s, 409s …), throttling (429 with
 * Retry-After), added latency, and dropped watch connections.
 */
import { StatusError } from './errors.js';

export interface FaultMatch {
  /** Kubernetes verb(s): get, list, watch, create, update, patch, delete, deletecollection. */
  verb?: string | string[];
  /** Plural resource name (`configmaps`). */
  resource?: string;
  group?: string;
  namespace?: string;
}

export interface FaultSpec {
  status: number;
  /** How many matching requests fail (default: all until `reset()`). */
  count?: number;
  match?: FaultMatch;
  message?: string;
  retryAfterSeconds?: number;
}

export interface RequestFacts {
  verb: string;
  resource?: string;
  group?: string;
  namespace?: string;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private latencyMs = 0;

  constructor(private readonly closeWatches: (abrupt: boolean) => number) {}

  /** Makes matching requests fail with `status` (a Kubernetes Status body). */
  inject(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.count ?? Number.POSITIVE_INFINITY });
  }

  /** Adds `ms` of latency to every request (0 removes it). */
  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** Answers 429 Too Many Requests with a Retry-After header. */
  throttle(opts: { retryAfterSeconds: number; count?: number; match?: FaultMatch }): void {
    this.inject({
      status: 429,
      retryAfterSeconds: opts.retryAfterSeconds,
      count: opts.count,
      match: opts.match,
    });
  }

  /** Ends every open watch now; `abrupt` resets the connection instead of ending the stream. Returns how many. */
  dropWatches(opts: { abrupt?: boolean } = {}): number {
    return this.closeWatches(opts.abrupt ?? false);
  }

  reset(): void {
    this.faults = [];
    this.latencyMs = 0;
  }

  get delayMs(): number {
    return this.latencyMs;
  }

  /** The injected error for this request, if any (consumes one of the fault's count). */
  take(req: RequestFacts): StatusError | undefined {
    if (!this.faults.length) return undefined;
    for (const f of this.faults) {
      if (f.remaining <= 0 || !matches(f.match, req)) continue;
      f.remaining--;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
      const reason = REASONS[f.status] ?? 'InternalError';
      const message =
        f.message ??
        (f.status === 429 ? 'Too many requests, please try again later.' : `injected fault (${f.status})`);
      return new StatusError(
        f.status,
        reason,
        message,
        f.retryAfterSeconds !== undefined ? { retryAfterSeconds: f.retryAfterSeconds } : undefined,
        f.retryAfterSeconds !== undefined ? { 'Retry-After': String(f.retryAfterSeconds) } : undefined,
      );
    }
    return undefined;
  }
}

function matches(m: FaultMatch | undefined, r: RequestFacts): boolean {
  if (!m) return true;
  if (m.verb !== undefined && !(Array.isArray(m.verb) ? m.verb : [m.verb]).includes(r.verb)) return false;
  if (m.resource !== undefined && m.resource !== r.resource) return false;
  if (m.group !== undefined && m.group !== (r.group ?? '')) return false;
  if (m.namespace !== undefined && m.namespace !== r.namespace) return false;
  return true;
}
