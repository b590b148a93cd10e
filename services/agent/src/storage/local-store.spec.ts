import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileLocalStore, readJson } from './local-store.js';

let dir: string;
let store: FileLocalStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-store-'));
  store = new FileLocalStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const text = (value: string) => new TextEncoder().encode(value);

it('writes, replaces, lists and removes values, leaving no temporary files', async () => {
  await store.write('bundles/a', text('1'));
  await store.write('bundles/a', text('2'));
  await store.write('bundles/b', text('3'));

  expect(new TextDecoder().decode(await store.read('bundles/a'))).toBe('2');
  expect(await store.list('bundles')).toEqual(['a', 'b']);
  expect(await readdir(join(dir, 'bundles'))).toEqual(['a', 'b']);
  await store.remove('bundles/a');
  await store.remove('bundles/never-written');
  expect(await store.read('bundles/a')).toBeUndefined();
  expect(await store.list('bundles')).toEqual(['b']);
  expect(await store.list('nothing-here')).toEqual([]);
});

it('refuses keys that could leave its directory', async () => {
  for (const key of ['../escape', 'a/../../b', '/abs', 'a//b', '.hidden', 'x.tmp']) {
    await expect(store.write(key, text('x'))).rejects.toThrow(/invalid local store key/);
  }
});

it('reads JSON, treating a damaged value like a missing one', async () => {
  await store.write('good.json', text('{"a":1}'));
  await store.write('bad.json', text('{"a":'));
  expect(await readJson(store, 'good.json')).toEqual({ a: 1 });
  expect(await readJson(store, 'bad.json')).toBeUndefined();
  expect(await readJson(store, 'missing.json')).toBeUndefined();
});
