import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Assignment } from '@flotilla/contracts';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileLocalStore } from '../storage/local-store.js';
import { AssignmentCache } from './assignment-cache.js';
import { AssignmentSource, type AssignmentLink } from './assignment-source.js';

let dir: string;
let cache: AssignmentCache;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assignment-source-'));
  cache = new AssignmentCache(new FileLocalStore(dir));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const assignment = (revision: number): Assignment => ({
  clusterId: 'east',
  revision,
  tenants: {},
  bindings: [],
});

/** A hub whose answer the test sets: an assignment, null (nothing assigned) or an outage. */
function hub(answer: Assignment | null | Error) {
  const state: { answer: typeof answer; reads: number; notify?: () => void; link: AssignmentLink } = {
    answer,
    reads: 0,
    link: {
      requestAssignment: async () => {
        state.reads++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (state.answer instanceof Error) throw state.answer;
        return state.answer;
      },
      onNotify: async (callback) => {
        state.notify = () => callback(null);
        return () => {
          state.notify = undefined;
        };
      },
    },
  };
  return state;
}

function source() {
  const seen: number[] = [];
  return { seen, source: new AssignmentSource({ cache, onAssignment: (a) => seen.push(a.revision) }) };
}

it('enforces the cached assignment until the hub answers, and only newer revisions replace it', async () => {
  await cache.offerAssignment(assignment(3));
  const { seen, source: s } = source();
  await s.loadCached();
  expect(s.confirmedByHub).toBe(false);

  const h = hub(new Error('hub down'));
  await s.attach(h.link);
  expect(s.current?.revision).toBe(3);

  h.answer = assignment(2);
  await s.refresh();
  expect(s.confirmedByHub).toBe(false);
  h.answer = assignment(3);
  await s.refresh();
  expect(s.confirmedByHub).toBe(true);
  h.answer = null;
  await s.refresh();
  h.answer = assignment(4);
  h.notify!();
  await s.refresh();

  expect(seen).toEqual([3, 4]);
  expect((await cache.assignment())?.revision).toBe(4);
});

it('folds refreshes requested during a read into one more read', async () => {
  const h = hub(assignment(1));
  const { source: s } = source();
  await s.attach(h.link);
  h.reads = 0;

  await Promise.all([s.refresh(), s.refresh(), s.refresh(), s.refresh()]);

  expect(h.reads).toBe(2);
});

it('stops listening for notices when detached', async () => {
  const h = hub(assignment(1));
  const { source: s } = source();
  await s.attach(h.link);
  s.detach();
  expect(h.notify).toBeUndefined();
});
