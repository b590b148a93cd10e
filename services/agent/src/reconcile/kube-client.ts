import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  RequestContext,
  type HttpLibrary,
} from '@kubernetes/client-node';
import { systemClock, type Clock } from './clock.js';
import { KubeApiError } from './kube-errors.js';
import { TokenBucket, type RateLimit } from './rate-limit.js';
import { DEFAULT_RETRY, retryDelay, type Outcome, type RetryPolicy } from './retry.js';

/** Where the agent's cluster credentials come from. */
export type KubeConfigSource = { inCluster: true } | { kubeconfig: string } | { kubeconfigPath: string };

export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const kc = new KubeConfig();
  if ('inCluster' in source) kc.loadFromCluster();
  else if ('kubeconfig' in source) kc.loadFromString(source.kubeconfig);
  else kc.loadFromFile(source.kubeconfigPath);
  return kc;
}

/**
 * A user the API server should act as (Impersonate-User, optionally one Impersonate-Group).
 * One group at most: client-node's RequestContext holds one value per header name, and the
 * API server reads one group per header line. Service accounts need none: the server adds
 * their `system:serviceaccounts[:<namespace>]` groups itself.
 */
export interface Identity {
  user: string;
  group?: string;
}

export interface KubeClientOptions {
  rateLimit?: RateLimit;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Transport override for tests; defaults to client-node's fetch-based library. */
  httpLibrary?: HttpLibrary;
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

/** As Argo CD's application controller (ARGOCD_K8S_CLIENT_QPS / _BURST): client-go's 5 / 10 would need minutes for a few thousand objects. */
export const DEFAULT_RATE_LIMIT: RateLimit = { qps: 50, burst: 100 };

/**
 * The agent's connection to one cluster. It reuses client-node for everything about
 * credentials (kubeconfig, in-cluster token, TLS, auth providers) and transport, but speaks
 * raw JSON: client-node's typed ObjectSerializer turns timestamps into Dates, drops fields
 * its models do not know and renames `$ref`/`x-kubernetes-*` in CRD schemas, and the
 * reconciler compares objects field by field, so it needs them exactly as the server sent them.
 *
 * Every request takes a token from a bucket shared by all identities of this client, and
 * 429 / 5xx / network failures are retried a bounded number of times.
 *
 * Connections are pooled per client (shared by its identities): client-node builds a new
 * undici dispatcher in every `applySecurityAuthentication`, which would open — and, over TLS,
 * handshake — a fresh connection for every request and leave its sockets behind. The
 * dispatcher's TLS options come from the kubeconfig, which a client never reloads, so the
 * first one serves for the client's life; credentials in headers are still applied per request.
 */
export class KubeClient {
  private constructor(
    private readonly kc: KubeConfig,
    private readonly server: string,
    private readonly bucket: TokenBucket,
    private readonly retry: RetryPolicy,
    private readonly clock: Clock,
    private readonly http: HttpLibrary,
    private readonly connections: { dispatcher?: ReturnType<RequestContext['getDispatcher']> },
    readonly identity: Identity | undefined,
  ) {}

  static create(kc: KubeConfig, options: KubeClientOptions = {}): KubeClient {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const clock = options.clock ?? systemClock;
    return new KubeClient(
      kc,
      cluster.server.replace(/\/+$/, ''),
      new TokenBucket(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock),
      { ...DEFAULT_RETRY, ...options.retry },
      clock,
      options.httpLibrary ?? new IsomorphicFetchHttpLibrary(),
      {},
      undefined,
    );
  }

  /** The same connection and rate limit, acting as `identity` (Impersonate-User/-Group). */
  impersonating(identity: Identity): KubeClient {
    return new KubeClient(
      this.kc,
      this.server,
      this.bucket,
      this.retry,
      this.clock,
      this.http,
      this.connections,
      identity,
    );
  }

  /** Sends one request; resolves with the parsed JSON answer, throws KubeApiError otherwise. */
  async request<T = unknown>(request: KubeRequest): Promise<T> {
    const what = `${request.method} ${request.path}`;
    for (let attempt = 1; ; attempt++) {
      // Built per try: credentials may rotate (in-cluster tokens do). Errors here are configuration errors, not retried.
      const context = await this.context(request);
      await this.bucket.take();
      let outcome: Outcome;
      let failure: KubeApiError;
      try {
        const response = await this.http.send(context).toPromise();
        const text = await response.body.text();
        if (response.httpStatusCode < 300) return (text === '' ? undefined : JSON.parse(text)) as T;
        outcome = { status: response.httpStatusCode, retryAfter: response.headers['retry-after'] };
        failure = KubeApiError.fromResponse(response.httpStatusCode, text, what);
      } catch (error) {
        outcome = { networkError: true };
        failure = new KubeApiError(0, `${what}: ${(error as Error).message}`, undefined, { cause: error });
      }
      const delay = retryDelay(attempt, outcome, this.retry);
      if (delay === undefined) throw failure;
      await this.clock.sleep(delay);
    }
  }

  private async context(request: KubeRequest): Promise<RequestContext> {
    const context = new RequestContext(this.server + request.path, request.method as HttpMethod);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) context.setQueryParam(name, value);
    }
    context.setHeaderParam('Accept', 'application/json');
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    // Credentials, TLS and the dispatcher come from the kubeconfig, exactly as for client-node's own APIs.
    await this.kc.applySecurityAuthentication(context);
    const dispatcher = (this.connections.dispatcher ??= context.getDispatcher());
    if (dispatcher) context.setDispatcher(dispatcher);
    if (this.identity) {
      context.setHeaderParam('Impersonate-User', this.identity.user);
      if (this.identity.group !== undefined) context.setHeaderParam('Impersonate-Group', this.identity.group);
    }
    return context;
  }
}
