import { describe, expect, it, vi } from 'vitest';
import { timeSequence } from './agent.js';

describe('timeSequence', () => {
  it('is µs since the epoch and strictly increasing, even within one millisecond or a clock step back', () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    try {
      const next = timeSequence();
      const first = next();
      expect(first).toBe(1_800_000_000_000_000);
      expect(next()).toBe(first + 1);
      vi.setSystemTime(1_700_000_000_000); // the clock stepped back
      expect(next()).toBe(first + 2);
      vi.setSystemTime(1_900_000_000_000);
      expect(next()).toBe(1_900_000_000_000_000);
      expect(Number.isSafeInteger(next())).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
