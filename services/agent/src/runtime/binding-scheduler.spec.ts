import { expect, it } from 'vitest';
import { BindingScheduler } from './binding-scheduler.js';

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

it('never overlaps runs of one binding and folds requests made meanwhile into one more run', async () => {
  const log: string[] = [];
  let release!: () => void;
  const scheduler = new BindingScheduler(
    async (id) => {
      log.push(`start ${id}`);
      if (log.length === 1) await new Promise<void>((resolve) => (release = resolve));
      log.push(`end ${id}`);
    },
    () => undefined,
  );

  scheduler.schedule('a');
  await tick();
  scheduler.schedule('a');
  scheduler.schedule('a');
  await tick();
  release();
  await tick(20);

  expect(log).toEqual(['start a', 'end a', 'start a', 'end a']);
  await scheduler.stop();
});

it('debounces: a burst of requests costs one run', async () => {
  let runs = 0;
  const scheduler = new BindingScheduler(
    async () => void runs++,
    () => undefined,
  );
  for (let i = 0; i < 5; i++) scheduler.schedule('a', 20);
  await tick(60);
  expect(runs).toBe(1);
  await scheduler.stop();
});

it('keeps running other bindings when one fails, within the concurrency limit', async () => {
  const failures: string[] = [];
  let active = 0;
  let peak = 0;
  const done: string[] = [];
  const scheduler = new BindingScheduler(
    async (id) => {
      peak = Math.max(peak, ++active);
      await tick();
      active--;
      if (id === 'bad') throw new Error('boom');
      done.push(id);
    },
    (id) => failures.push(id),
    2,
  );
  for (const id of ['bad', 'b', 'c', 'd']) scheduler.schedule(id);
  await tick(60);

  expect(failures).toEqual(['bad']);
  expect(done.sort()).toEqual(['b', 'c', 'd']);
  expect(peak).toBe(2);
  await scheduler.stop();
});

it('stops: pending runs are dropped and the one in progress is awaited', async () => {
  let finished = 0;
  const scheduler = new BindingScheduler(
    async () => {
      await tick(20);
      finished++;
    },
    () => undefined,
  );
  scheduler.schedule('a');
  scheduler.schedule('b', 1_000);
  await tick();
  await scheduler.stop();
  scheduler.schedule('c');
  await tick(30);
  expect(finished).toBe(1);
});
