import type { Clock } from './clock.js';

export interface RateLimit {
  /** Sustained requests per second. */
  qps: number;
  /** Requests that may be sent at once after a quiet period. */
  burst: number;
}

/**
 * Client-side token bucket (client-go's default is qps 5 / burst 10). Callers reserve a
 * token up front, so concurrent callers queue in arrival order instead of racing.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    if (!(limit.qps > 0) || !(limit.burst >= 1))
      throw new RangeError('rate limit needs qps > 0 and burst >= 1');
    this.tokens = limit.burst;
    this.refilledAt = clock.now();
  }

  /** Resolves when the caller may send one request. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const refill = ((now - this.refilledAt) / 1000) * this.limit.qps;
    this.tokens = Math.min(this.limit.burst, this.tokens + refill);
    this.refilledAt = now;
    this.tokens -= 1;
    if (this.tokens < 0) await this.clock.sleep((-this.tokens / this.limit.qps) * 1000);
  }
}
