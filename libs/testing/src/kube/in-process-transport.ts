/**
 * An @kubernetes/client-node HttpLibrary that hands each request straight to a KubeTestServer
 * (`dispatch`: the HTTP code path without a socket), for simulated fleets of hundreds of
 * clusters in one process. Writes wait a latency drawn like a real API server's apply.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ResponseContext,
  SelfDecodingBody,
  wrapHttpLibrary,
  type HttpLibrary,
  type Observable,
  type RequestContext,
} from '@kubernetes/client-node';
import type { KubeTestServer } from './server.js';

/** Median and 90th percentile of a write's latency, in ms. */
export interface ApplyLatency {
  p50Ms: number;
  p90Ms: number;
}

/** Around what a managed cluster's API server answers a server-side apply in. */
export const DEFAULT_APPLY_LATENCY: ApplyLatency = { p50Ms: 15, p90Ms: 30 };

/** The standard normal's 90th percentile. */
const Z90 = 1.2816;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Draws latencies (ms) from the log-normal with the given median and 90th percentile
 * (mu = ln p50, sigma = ln(p90/p50) / z0.9): long-tailed like real request latencies.
 * A zero median draws zero.
 */
export function latencySampler(latency: ApplyLatency, random: () => number = Math.random): () => number {
  if (latency.p50Ms <= 0) return () => 0;
  const mu = Math.log(latency.p50Ms);
  const sigma = Math.log(latency.p90Ms / latency.p50Ms) / Z90;
  return () => {
    // Box–Muller: one standard normal from two uniforms in (0, 1].
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.exp(mu + sigma * normal);
  };
}

export interface InProcessTransportOptions {
  /** Latency of POST, PUT, PATCH and DELETE requests; false for none. Default DEFAULT_APPLY_LATENCY. */
  applyLatency?: ApplyLatency | false;
}

/**
 * Give it to a client as its HttpLibrary (the agent's KubeClient takes `httpLibrary`). The
 * client's kubeconfig still supplies credentials and impersonation headers; the server's URL
 * in it is not contacted. Watches are not served (they need a stream): use HTTP for them.
 */
export class InProcessTransport implements HttpLibrary {
  /** Successful server-side applies that were not dry runs, by object path (a count above 1 is a re-apply). */
  readonly applies = new Map<string, number>();
  private readonly writeLatency: () => number;
  private readonly library: HttpLibrary;

  constructor(
    private readonly server: KubeTestServer,
    options: InProcessTransportOptions = {},
  ) {
    const latency = options.applyLatency ?? DEFAULT_APPLY_LATENCY;
    this.writeLatency = latency ? latencySampler(latency) : () => 0;
    this.library = wrapHttpLibrary({ send: (request) => this.answer(request) });
  }

  send(request: RequestContext): Observable<ResponseContext> {
    return this.library.send(request);
  }

  private async answer(request: RequestContext): Promise<ResponseContext> {
    const method = request.getHttpMethod();
    if (WRITE_METHODS.has(method)) {
      const delay = this.writeLatency();
      if (delay > 0) await sleep(delay);
    }
    const url = new URL(request.getUrl());
    const headers = request.getHeaders();
    const body = request.getBody();
    const answer = await this.server.dispatch({
      method,
      url: url.pathname + url.search,
      headers,
      body: body === undefined ? undefined : String(body),
    });
    if (isApply(method, headers, url) && answer.status < 300)
      this.applies.set(url.pathname, (this.applies.get(url.pathname) ?? 0) + 1);
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers))
      responseHeaders[name] = typeof value === 'string' ? value : value.join(', ');
    return new ResponseContext(
      answer.status,
      responseHeaders,
      new SelfDecodingBody(Promise.resolve(Buffer.from(answer.body))),
    );
  }
}

function isApply(method: string, headers: Record<string, string>, url: URL): boolean {
  if (method !== 'PATCH' || url.searchParams.has('dryRun')) return false;
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return contentType?.startsWith('application/apply-patch') ?? false;
}
