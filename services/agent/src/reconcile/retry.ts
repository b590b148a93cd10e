export interface RetryPolicy {
  /** Total tries, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on a server's Retry-After, so one answer cannot stall a reconcile for long. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

/** What happened to one try: an HTTP status (with its Retry-After header) or a network error. */
export type Outcome = { status: number; retryAfter?: string } | { networkError: true };

/**
 * Milliseconds to wait before the next try, or undefined when the outcome is final:
 * 429 waits as long as Retry-After says (else backs off); 5xx and network errors back off
 * exponentially with jitter; anything else, and the last allowed try, is not retried.
 */
export function retryDelay(
  attempt: number,
  outcome: Outcome,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  if ('networkError' in outcome) return backoff(attempt, policy, random);
  if (outcome.status === 429) {
    const asked = retryAfterMs(outcome.retryAfter);
    return asked === undefined ? backoff(attempt, policy, random) : Math.min(asked, policy.maxRetryAfterMs);
  }
  if (outcome.status >= 500 && outcome.status <= 599) return backoff(attempt, policy, random);
  return undefined;
}

function backoff(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Half fixed, half random: spreads retries of many agents hit by one outage.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
