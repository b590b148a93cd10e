/** A Kubernetes API error answer (a `Status` object) or a transport failure after retries. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    /** HTTP status; 0 when no answer arrived. */
    readonly status: number,
    message: string,
    /** `Status.reason`, e.g. `NotFound`, `Forbidden`, `Invalid`, `Conflict`. */
    readonly reason?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Builds the error from an API server answer, using its `Status` message when it has one. */
  static fromResponse(status: number, body: string, what: string): KubeApiError {
    let parsed: { message?: unknown; reason?: unknown } = {};
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      // Not a Status object (e.g. a proxy's HTML page): fall back to the status line.
    }
    const message = typeof parsed.message === 'string' ? parsed.message : `HTTP ${status}`;
    const reason = typeof parsed.reason === 'string' ? parsed.reason : undefined;
    return new KubeApiError(status, `${what}: ${message}`, reason);
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.status === 404;

export const isForbidden = (error: unknown): boolean => error instanceof KubeApiError && error.status === 403;

/** The API server refused to change a field that can only be set at creation. */
export const isImmutableFieldError = (error: unknown): boolean =>
  error instanceof KubeApiError &&
  error.status === 422 &&
  /immutable|may not be changed|cannot be changed/i.test(error.message);

/** A short, single-line description of any error, for results and logs. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
