const maxTrackedKeys = 100_000;

/**
 * Failed-login counter per username + client address, in memory. Each replica counts on its
 * own, which bounds guessing to (replicas × limit) per window — enough against online guessing.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until another attempt is allowed, or 0 when the key may try now. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  fail(key: string): void {
    // Sprayed usernames would otherwise grow the map without bound.
    if (this.failures.size >= maxTrackedKeys) this.forgetStale();
    this.failures.set(key, [...this.recent(key), this.now()]);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private forgetStale(): void {
    for (const key of [...this.failures.keys()]) this.recent(key);
    if (this.failures.size >= maxTrackedKeys) this.failures.clear();
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const recent = (this.failures.get(key) ?? []).filter((at) => at > since);
    if (recent.length) this.failures.set(key, recent);
    else this.failures.delete(key);
    return recent;
  }
}
