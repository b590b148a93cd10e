import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.js';
import { TokenBucket } from './rate-limit.js';

/** Virtual time: sleeping advances the clock instantly. */
function virtualClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('lets a burst through, then paces requests at qps', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ qps: 10, burst: 3 }, clock);
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(clock.sleeps).toEqual([100, 100]);
  });

  it('refills while idle, up to the burst size', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ qps: 10, burst: 2 }, clock);
    await bucket.take();
    await bucket.take();
    await clock.sleep(10_000);
    clock.sleeps.length = 0;
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(clock.sleeps).toEqual([100]);
  });

  it('queues concurrent callers one interval apart', async () => {
    // Time stands still: all three arrive at once and reserve consecutive slots.
    const sleeps: number[] = [];
    const bucket = new TokenBucket(
      { qps: 5, burst: 1 },
      { now: () => 0, sleep: async (ms) => void sleeps.push(ms) },
    );
    await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
    expect(sleeps).toEqual([200, 400]);
  });

  it('rejects a limit that would never grant a token', () => {
    expect(() => new TokenBucket({ qps: 0, burst: 1 }, virtualClock())).toThrow(RangeError);
  });
});
