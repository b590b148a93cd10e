/** Exponential backoff with full jitter: a random delay up to base·2^(attempt-1), capped. */
export function backoffDelay(
  attempt: number,
  policy: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** `ms` spread by ±`spread` (a fraction), so a fleet's timers do not fire in step. */
export function jittered(ms: number, spread = 0.2, random: () => number = Math.random): number {
  return Math.round(ms * (1 - spread + 2 * spread * random()));
}
