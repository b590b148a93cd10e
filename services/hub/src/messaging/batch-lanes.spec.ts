import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BatchLanes } from './batch-lanes.js';

interface Item {
  key: string;
  n: number;
}

describe('BatchLanes', () => {
  it('keeps each key in order, overlaps lanes and batches what queued up, within capacity', async () => {
    const handled: Item[] = [];
    const batches: number[] = [];
    let running = 0;
    let peak = 0;
    let held = 0;
    let heldPeak = 0;
    const lanes = new BatchLanes<Item>({
      lanes: 4,
      maxBatch: 5,
      capacity: 12,
      handle: async (batch) => {
        peak = Math.max(peak, ++running);
        batches.push(batch.length);
        await sleep(5);
        handled.push(...batch);
        held -= batch.length;
        running--;
      },
      failed: (error) => {
        throw error;
      },
    });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (let n = 0; n < 120; n++) {
      await lanes.push(keys[n % keys.length]!, { key: keys[n % keys.length]!, n });
      heldPeak = Math.max(heldPeak, ++held);
    }
    await lanes.idle();
    for (const key of keys) {
      const order = handled.filter((item) => item.key === key).map((item) => item.n);
      expect(order).toEqual([...order].sort((x, y) => x - y));
      expect(order).toHaveLength(20);
    }
    expect(peak).toBeGreaterThan(1);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(Math.max(...batches)).toBeLessThanOrEqual(5);
    expect(heldPeak).toBeLessThanOrEqual(12);
  });

  it('reports a failing batch and goes on with the lane', async () => {
    const failures: string[] = [];
    const handled: number[] = [];
    const lanes = new BatchLanes<number>({
      lanes: 1,
      maxBatch: 1,
      capacity: 4,
      handle: async ([n]) => {
        if (n === 1) throw new Error('broken');
        handled.push(n!);
      },
      failed: (error) => failures.push((error as Error).message),
    });
    for (const n of [1, 2, 3]) await lanes.push('k', n);
    await lanes.idle();
    expect(failures).toEqual(['broken']);
    expect(handled).toEqual([2, 3]);
  });
});
