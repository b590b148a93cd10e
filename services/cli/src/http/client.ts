import { CliError, ExitCode } from '../errors.js';
import { HubProblem, type ProblemBody } from './problem.js';
import type { ApiRequest } from './request.js';

const REQUEST_TIMEOUT_MS = 30_000;

export interface ListPage<T> {
  items: T[];
  nextCursor?: string | null;
}

/** The one HTTP client: bearer auth, JSON in and out, problem+json → HubProblem. */
export class HubClient {
  constructor(
    readonly server: string,
    private readonly token?: string,
  ) {}

  url(request: Pick<ApiRequest, 'path' | 'query'>): URL {
    const url = new URL(request.path, this.server.endsWith('/') ? this.server : `${this.server}/`);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** JSON answer (or undefined for 204). */
  async send<T = unknown>(request: ApiRequest): Promise<T> {
    const response = await this.open(request, { accept: 'application/json' });
    const text = await response.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(
        `the hub at ${this.server} answered ${request.path} with something that is not JSON`,
      );
    }
  }

  /** A text answer such as install.yaml. */
  async text(request: ApiRequest, accept = 'application/yaml, text/plain, */*'): Promise<string> {
    return (await this.open(request, { accept })).text();
  }

  /** Every item of a paginated list, following `nextCursor` (a plain array is one page). */
  async all<T>(request: ApiRequest): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.send<ListPage<T> | T[]>({ ...request, query: { ...request.query, cursor } });
      if (Array.isArray(page)) return [...items, ...page];
      items.push(...(page?.items ?? []));
      cursor = page?.nextCursor ?? undefined;
    } while (cursor);
    return items;
  }

  /**
   * The raw response of a successful call; failures become HubProblem, network errors a
   * CliError naming the URL. `timeoutMs: null` is for streams that stay open.
   */
  async open(
    request: ApiRequest,
    options: {
      accept: string;
      signal?: AbortSignal;
      headers?: Record<string, string>;
      timeoutMs?: number | null;
    },
  ): Promise<Response> {
    const url = this.url(request);
    const headers: Record<string, string> = { accept: options.accept, ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    const timeout =
      options.timeoutMs === null ? undefined : AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    const signals = [timeout, options.signal].filter((s): s is AbortSignal => s !== undefined);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        body,
        redirect: 'manual',
        signal: signals.length ? AbortSignal.any(signals) : undefined,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw networkError(url, error);
    }
    if (response.ok) return response;
    throw await problemOf(response, Boolean(this.token));
  }
}

async function problemOf(response: Response, loggedIn: boolean): Promise<HubProblem> {
  const text = await response.text().catch(() => '');
  let body: ProblemBody | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as ProblemBody;
  } catch {
    // a proxy's HTML error page: keep its status, show a short excerpt
  }
  return new HubProblem(response.status, body, body ? '' : text.slice(0, 200), loggedIn);
}

function networkError(url: URL, error: unknown): CliError {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const target = `${url.origin}${url.pathname}`;
  if (err.name === 'TimeoutError') {
    return new CliError(
      `the hub at ${target} did not answer within ${REQUEST_TIMEOUT_MS / 1000}s`,
      ExitCode.unavailable,
    );
  }
  const reason = err.cause?.code ?? err.cause?.message ?? err.message ?? String(error);
  return new CliError(`cannot reach the hub at ${target}: ${reason}`, ExitCode.unavailable);
}
