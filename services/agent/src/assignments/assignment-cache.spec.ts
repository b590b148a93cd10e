import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Assignment } from '@flotilla/contracts';
import { digestOf } from '@flotilla/manifests';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileLocalStore } from '../storage/local-store.js';
import { AssignmentCache } from './assignment-cache.js';

let dir: string;
let cache: AssignmentCache;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assignment-cache-'));
  cache = new AssignmentCache(new FileLocalStore(dir));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const assignment = (revision: number): Assignment => ({
  clusterId: 'east',
  revision,
  tenants: {},
  bindings: [],
});
const bundle = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { digest: digestOf(bytes), bundle: { bytes, signature: 'c2ln' } };
};

it('keeps the newest assignment revision only', async () => {
  expect(await cache.assignment()).toBeNull();
  expect(await cache.offerAssignment(assignment(2))).toBe(true);
  expect(await cache.offerAssignment(assignment(1))).toBe(false);
  expect(await cache.offerAssignment(assignment(2))).toBe(false);
  expect((await new AssignmentCache(new FileLocalStore(dir)).assignment())?.revision).toBe(2);
});

it('treats an unreadable cached assignment as none', async () => {
  await writeFile(join(dir, 'assignment.json'), '{"clusterId":"east"}');
  expect(await cache.assignment()).toBeNull();
  expect(await cache.offerAssignment(assignment(1))).toBe(true);
});

it('stores bundles by digest and refuses bytes that do not match it', async () => {
  const { digest, bundle: stored } = bundle('{"objects":[]}');
  await cache.putBundle(digest, stored);
  expect(await cache.bundle(digest)).toEqual({ bytes: Buffer.from(stored.bytes), signature: 'c2ln' });
  await expect(cache.putBundle(bundle('other').digest, stored)).rejects.toThrow(/do not match/);
});

it('forgets a bundle whose bytes were damaged on disk', async () => {
  const { digest, bundle: stored } = bundle('original');
  await cache.putBundle(digest, stored);
  const file = join(dir, 'bundles', digest.replace(':', '-'));
  await writeFile(
    file,
    JSON.stringify({ signature: 'c2ln', bundle: Buffer.from('tampered').toString('base64') }),
  );

  expect(await cache.bundle(digest)).toBeUndefined();
  expect(await new FileLocalStore(dir).list('bundles')).toEqual([]);
});

it('removes bundles no longer referenced', async () => {
  const kept = bundle('kept');
  const unused = bundle('unused');
  await cache.putBundle(kept.digest, kept.bundle);
  await cache.putBundle(unused.digest, unused.bundle);

  expect(await cache.collectGarbage(new Set([kept.digest]))).toEqual([unused.digest]);
  expect(await cache.bundle(kept.digest)).toBeDefined();
  expect(await cache.bundle(unused.digest)).toBeUndefined();
});
