import { describe, expect, it } from 'vitest';
import { ExitCode } from '../errors.js';
import { progressOf, waitForSync, type ClusterSync } from './wait.js';

const c = (name: string, syncState: string | null, revision = 2, commit = 'abcdef1234'): ClusterSync => ({
  name,
  syncState,
  revision,
  commit,
});

describe('rollout progress', () => {
  it('is done when every cluster is Synced, at the target revision or commit when given', () => {
    expect(progressOf([c('a', 'Synced'), c('b', 'Synced')])).toEqual({
      done: true,
      message: 'all 2 cluster(s) synced',
    });
    expect(progressOf([c('a', 'Synced', 2)], 3)).toMatchObject({ done: false, failed: false });
    expect(progressOf([c('a', 'Synced', 3)], 3).done).toBe(true);
    expect(progressOf([c('a', 'Synced')], 'abcdef').done).toBe(true);
    expect(progressOf([c('a', 'Synced')], 'ffff').done).toBe(false);
    expect(progressOf([]).done).toBe(true);
  });

  it('names what it waits for, and fails fast on Failed', () => {
    expect(progressOf([c('a', 'Synced'), c('b', 'OutOfSync'), c('c', null)])).toEqual({
      done: false,
      failed: false,
      message: 'waiting for 2/3 cluster(s) (b: OutOfSync, c: no report)',
    });
    expect(progressOf([{ ...c('b', 'Failed'), lastError: 'quota exceeded' }])).toEqual({
      done: false,
      failed: true,
      message: 'sync failed on b: quota exceeded',
    });
    const reported = { reason: 'ApplyFailed', message: 'quota exceeded' };
    expect(progressOf([{ ...c('b', 'Failed'), lastError: reported }]).message).toBe(
      'sync failed on b: ApplyFailed: quota exceeded',
    );
  });

  it('polls until synced, and times out with exit code 6', async () => {
    const answers = [[c('a', 'OutOfSync')], [c('a', 'Synced')]];
    let reads = 0;
    await waitForSync(async () => answers[Math.min(reads++, 1)]!, { timeoutMs: 5000, intervalMs: 5 });
    expect(reads).toBe(2);
    await expect(
      waitForSync(async () => [c('a', 'OutOfSync')], { timeoutMs: 20, intervalMs: 5 }),
    ).rejects.toMatchObject({
      exitCode: ExitCode.unavailable,
      message: expect.stringMatching(/timed out after 0.02s, waiting for 1\/1/),
    });
  });
});
