import { posix } from 'node:path';
import { SourceError } from './errors.js';
import type { GitFetcher } from './git-fetcher.js';
import { hasControlCharacters } from './chars.js';

/** Bounds on what one render may read or take: hostile repositories must not exhaust the hub. */
export interface RenderLimits {
  /** Tree entries (files) visited. */
  maxFiles: number;
  /** Bytes of any single file read. */
  maxFileBytes: number;
  /** Bytes of all files read plus rendered output. */
  maxTotalBytes: number;
  /** Wall-clock time of the whole render, kustomize included. */
  timeoutMs: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = {
  maxFiles: 5_000,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
  timeoutMs: 30_000,
};

/** A tree entry that was deliberately not read (symlink, submodule), reported to the user. */
export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface TreeFile {
  /** Path from the repository root. */
  path: string;
  oid: string;
}

/**
 * Validates a binding path and returns it normalised relative to the repository root
 * ('' = root). Absolute paths, `..` segments and odd characters are refused, never "fixed".
 */
export function normaliseRepoPath(path: string): string {
  const refuse = (why: string) => new SourceError('path_refused', `path "${path}" refused: ${why}`);
  if (hasControlCharacters(path) || path.includes('\\'))
    throw refuse('it contains control characters or backslashes');
  if (path.startsWith('/')) throw refuse('it must be relative to the repository root');
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw refuse('".." segments are not allowed');
  if (segments.some((segment) => segment.toLowerCase() === '.git'))
    throw refuse('".git" is not part of the tree');
  return segments.join('/');
}

/** Tracks a render's consumption against its limits; every error names the limit it hit. */
export class RenderBudget {
  private files = 0;
  private bytes = 0;
  private readonly deadline: number;

  constructor(readonly limits: RenderLimits) {
    this.deadline = Date.now() + limits.timeoutMs;
  }

  remainingMs(): number {
    return this.deadline - Date.now();
  }

  checkTime(): void {
    if (this.remainingMs() <= 0) {
      throw new SourceError(
        'limit_exceeded',
        `render took longer than ${this.limits.timeoutMs} ms (timeoutMs)`,
      );
    }
  }

  countFile(): void {
    if (++this.files > this.limits.maxFiles) {
      throw new SourceError('limit_exceeded', `more than ${this.limits.maxFiles} files to read (maxFiles)`);
    }
  }

  addBytes(path: string, size: number): void {
    if (size > this.limits.maxFileBytes) {
      throw new SourceError(
        'limit_exceeded',
        `${path} is ${size} bytes, more than ${this.limits.maxFileBytes} (maxFileBytes)`,
      );
    }
    this.addOutputBytes(size);
  }

  /** Rendered output (one kustomize build) counts only against the total. */
  addOutputBytes(size: number): void {
    this.bytes += size;
    if (this.bytes > this.limits.maxTotalBytes) {
      throw new SourceError(
        'limit_exceeded',
        `more than ${this.limits.maxTotalBytes} bytes in total (maxTotalBytes)`,
      );
    }
  }
}

const SYMLINK_MODE = '120000';

function checkEntryName(parent: string, name: string): void {
  // git refuses such trees on push, but a crafted tree object can still carry them
  if (
    !name ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\\') ||
    hasControlCharacters(name) ||
    name.toLowerCase() === '.git'
  ) {
    throw new SourceError(
      'path_refused',
      `unsafe entry name ${JSON.stringify(name)} in directory "${parent || '.'}"`,
    );
  }
}

/**
 * Lists the regular files under `path` in the commit, recursively, in sorted order.
 * Symlinks and submodules are skipped with a reason: they are never followed or written.
 */
export async function listFiles(
  fetcher: GitFetcher,
  repoId: string,
  commit: string,
  path: string,
  budget: RenderBudget,
): Promise<{ files: TreeFile[]; skipped: SkippedEntry[] }> {
  const files: TreeFile[] = [];
  const skipped: SkippedEntry[] = [];
  const visit = async (dir: string, entries: Awaited<ReturnType<GitFetcher['readTree']>>): Promise<void> => {
    for (const entry of entries) {
      budget.checkTime();
      checkEntryName(dir, entry.path);
      const full = dir ? `${dir}/${entry.path}` : entry.path;
      if (entry.type === 'tree') {
        await visit(full, await fetcher.readTreeObject(repoId, entry.oid));
      } else if (entry.type === 'commit') {
        skipped.push({ path: full, reason: 'submodule: not fetched' });
      } else if (entry.mode === SYMLINK_MODE) {
        skipped.push({ path: full, reason: 'symbolic link: never followed' });
      } else {
        budget.countFile();
        files.push({ path: full, oid: entry.oid });
      }
    }
  };
  await visit(path, await fetcher.readTree(repoId, commit, path));
  const byPath = (a: { path: string }, b: { path: string }) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  return { files: files.sort(byPath), skipped: skipped.sort(byPath) };
}

/** Reads a blob within the budget; content must be UTF-8 text. */
export async function readBytes(
  fetcher: GitFetcher,
  repoId: string,
  file: TreeFile,
  budget: RenderBudget,
): Promise<Uint8Array> {
  budget.checkTime();
  const blob = await fetcher.readBlob(repoId, file.oid);
  budget.addBytes(file.path, blob.length);
  return blob;
}

export function decodeText(path: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SourceError('render_failed', `${path} is not valid UTF-8 text`);
  }
}

/** Parent directory of a repository path ('' for top-level entries). */
export function parentOf(path: string): string {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : dir;
}
