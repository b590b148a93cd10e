import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, retryAfterMs, retryDelay } from './retry.js';

const policy = {
  ...DEFAULT_RETRY,
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 5_000,
};
const noJitter = () => 1;

describe('retryDelay', () => {
  it('honours Retry-After on 429, capped', () => {
    expect(retryDelay(1, { status: 429, retryAfter: '2' }, policy, noJitter)).toBe(2_000);
    expect(retryDelay(1, { status: 429, retryAfter: '60' }, policy, noJitter)).toBe(5_000);
  });

  it('backs off exponentially on 5xx and network errors, up to the maximum delay', () => {
    expect([1, 2, 3].map((attempt) => retryDelay(attempt, { status: 503 }, policy, noJitter))).toEqual([
      100, 200, 400,
    ]);
    expect(retryDelay(3, { networkError: true }, { ...policy, maxDelayMs: 300 }, noJitter)).toBe(300);
  });

  it('keeps at least half the delay whatever the jitter', () => {
    expect(retryDelay(2, { status: 500 }, policy, () => 0)).toBe(100);
  });

  it('gives up after the last attempt and never retries other client errors', () => {
    expect(retryDelay(4, { status: 503 }, policy)).toBeUndefined();
    expect(retryDelay(1, { status: 404 }, policy)).toBeUndefined();
    expect(retryDelay(1, { status: 409 }, policy)).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(retryAfterMs('Fri, 27 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
