import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messages, type BindingStatus, type StatusMessage } from '@flotilla/contracts';
import type { PubAck } from '@nats-io/jetstream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileLocalStore } from '../storage/local-store.js';
import { StatusSequence } from './sequence.js';
import { StatusReporter, type StatusReporterOptions } from './status-reporter.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'status-reporter-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A link that records what it published, or fails while `online` is false (NATS down). */
function link() {
  const published: StatusMessage[] = [];
  const state = {
    online: true,
    published,
    publishStatus: (message: StatusMessage): Promise<PubAck> => {
      if (!state.online) return Promise.reject(new Error('timeout'));
      published.push(messages.statusMessage.decode(messages.statusMessage.encode(message)));
      return Promise.resolve({ stream: 'FLOTILLA_STATUS', seq: published.length, duplicate: false });
    },
  };
  return state;
}

async function open(now: () => number, options: Partial<StatusReporterOptions> = {}) {
  const store = new FileLocalStore(dir);
  const clock = { now };
  return StatusReporter.open({ store, sequence: await StatusSequence.open(store, clock), clock, ...options });
}

const status = (bindingId: string, syncState: BindingStatus['syncState'] = 'Synced'): BindingStatus => ({
  bindingId,
  appliedDigest: null,
  commit: null,
  syncState,
  health: 'Healthy',
  objects: [],
  durations: { totalMs: 1 },
});

it('keeps the latest status per binding while offline, on disk, and publishes it once back', async () => {
  const hub = link();
  hub.online = false;
  const reporter = await open(() => 1_000);
  reporter.attach(hub);
  await reporter.report([status('a', 'Failed'), status('b')], 1);
  await reporter.report([status('a', 'Synced')], 2);
  expect(await reporter.flush()).toBe(false);
  expect(reporter.queued).toBe(2);

  // A restart while still offline loses nothing.
  const restarted = await open(() => 1_000);
  expect(restarted.queued).toBe(2);
  restarted.attach(hub);
  hub.online = true;
  expect(await restarted.flush()).toBe(true);

  expect(hub.published).toHaveLength(1);
  expect(hub.published[0]).toMatchObject({ kind: 'status', assignmentRevision: 2 });
  const sent = hub.published[0]!.kind === 'status' ? hub.published[0]!.bindings : [];
  expect(sent.map((b) => [b.bindingId, b.syncState])).toEqual([
    ['b', 'Synced'],
    ['a', 'Synced'],
  ]);
  expect((await open(() => 1_000)).queued).toBe(0);
});

it('bounds the queue, dropping the binding updated longest ago', async () => {
  const reporter = await open(() => 1_000, { maxQueuedBindings: 2 });
  await reporter.report([status('a'), status('b'), status('c')], 1);
  const hub = link();
  reporter.attach(hub);
  expect(await reporter.flush()).toBe(true);
  const sent = hub.published.flatMap((m) => (m.kind === 'status' ? m.bindings : []));
  expect(sent.map((b) => b.bindingId)).toEqual(['b', 'c']);
});

it('splits large reports and numbers messages strictly increasing, across restarts and clock steps back', async () => {
  const hub = link();
  const first = await open(() => 5_000, { maxBindingsPerReport: 2 });
  first.attach(hub);
  await first.report([status('a'), status('b'), status('c')], 1);
  await first.idle();
  // The clock stepped back an hour: the persisted high-water mark still wins.
  const second = await open(() => 5_000 - 3_600_000);
  second.attach(hub);
  await second.report([status('a')], 1);
  await second.idle();

  const seqs = hub.published.map((m) => m.seq);
  expect(hub.published.map((m) => (m.kind === 'status' ? m.bindings.length : 0))).toEqual([2, 1, 1]);
  expect(seqs[0]).toBe(5_000_000);
  expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  expect(new Set(seqs).size).toBe(3);
});

it('drops a status that breaks the contract instead of blocking the queue', async () => {
  const reporter = await open(() => 1_000);
  await reporter.report([{ ...status('a'), error: { reason: '', message: 'x' } }, status('b')], 1);
  expect(reporter.queued).toBe(1);
});
