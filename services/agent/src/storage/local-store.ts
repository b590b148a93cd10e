import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The agent's small local state (last assignment, bundles, queued reports, sequence high-water
 * mark), so it keeps enforcing and reporting across hub outages and agent restarts.
 * Keys are `/`-separated paths of safe segments, e.g. `bundles/sha256-…`.
 */
export interface LocalStore {
  /** The stored bytes, or undefined when the key was never written (or was removed). */
  read(key: string): Promise<Uint8Array | undefined>;
  /** Replaces the value atomically: a reader sees the old or the new bytes, never a mix. */
  write(key: string, bytes: Uint8Array): Promise<void>;
  remove(key: string): Promise<void>;
  /** Keys directly under `folder` (e.g. `bundles`), without the folder prefix. */
  list(folder: string): Promise<string[]>;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TEMP_SUFFIX = '.tmp';

function checkKey(key: string): string[] {
  const segments = key.split('/');
  if (!segments.every((segment) => SEGMENT.test(segment) && !segment.endsWith(TEMP_SUFFIX)))
    throw new TypeError(`invalid local store key ${JSON.stringify(key)}`);
  return segments;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * A LocalStore in one directory per agent. Writes go to a temporary file that is flushed to
 * disk and then renamed over the target, so a crash mid-write never leaves a torn value.
 */
export class FileLocalStore implements LocalStore {
  constructor(private readonly dir: string) {}

  async read(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async list(folder: string): Promise<string[]> {
    try {
      const entries = await readdir(this.path(folder), { withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX))
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  private path(key: string): string {
    return join(this.dir, ...checkKey(key));
  }
}

/** The JSON stored under `key`, or undefined when it is missing or not JSON. */
export async function readJson(store: LocalStore, key: string): Promise<unknown> {
  const raw = await store.read(key);
  if (!raw) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return undefined;
  }
}
