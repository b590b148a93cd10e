import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import git, { type TreeEntry } from 'isomorphic-git';
import { type GitCredentials, scrub, secretsOf, toOnAuth } from './credentials.js';
import { SourceError } from './errors.js';
import { createGitHttpClient } from './http-client.js';
import { checkRepositoryUrl, displayUrl } from './url-policy.js';
import { hasControlCharacters } from './chars.js';

export interface GitFetcherOptions {
  /** Root of the per-repository caches (one bare git dir per repository id). */
  cacheDir: string;
  /** FLOTILLA_GIT_ALLOWED_HOSTS entries, see url-policy. */
  allowedHosts?: readonly string[];
  /** Deadline for one fetch, network and unpacking included. Default 60 s. */
  timeoutMs?: number;
  /** Cap on one downloaded pack. Default 256 MiB. */
  maxPackBytes?: number;
  /** Told how long each fetch took and whether it worked (metrics). */
  onFetched?: (outcome: { ok: boolean; seconds: number }) => void;
}

export interface FetchRequest {
  repoId: string;
  url: string;
  credentials?: GitCredentials;
  /** Branch name, tag name, or a full 40-hex commit id. */
  ref: string;
}

export interface FetchResult {
  commit: string;
}

const COMMIT_ID = /^[0-9a-f]{40}$/;
/** Like git's "deepen" of `--unshallow`: fetch the full history behind a shallow cache. */
const FULL_DEPTH = 2147483647;

export function checkRefName(ref: string): void {
  // git check-ref-format rules that matter here, plus no leading "-" (option injection)
  if (
    !ref ||
    ref.startsWith('-') ||
    ref.includes('..') ||
    hasControlCharacters(ref) ||
    /[\s~^:?*[\\]/.test(ref) ||
    ref.endsWith('/')
  ) {
    throw new SourceError(
      'ref_not_found',
      `invalid ref name "${ref}": expected a branch, a tag or a 40-hex commit id`,
    );
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** isomorphic-git refuses entry names like ".." itself; report that like our own checks. */
function treeError(error: unknown): unknown {
  if (errorCode(error) !== 'UnsafeFilepathError') return error;
  const name = (error as { data?: { filepath?: string } }).data?.filepath ?? '';
  return new SourceError('path_refused', `unsafe entry name ${JSON.stringify(name)} in the repository tree`);
}

/**
 * Fetches repositories into a per-repository cache with isomorphic-git and reads commits from
 * it without a checkout. One fetch at a time per repository; identical concurrent requests
 * share one fetch.
 */
export class GitFetcher {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly inflight = new Map<string, Promise<FetchResult>>();
  private readonly cache = {};

  constructor(private readonly options: GitFetcherOptions) {}

  /** The bare git directory caching this repository. */
  gitdir(repoId: string): string {
    return join(this.options.cacheDir, createHash('sha256').update(repoId).digest('hex').slice(0, 32));
  }

  fetch(request: FetchRequest): Promise<FetchResult> {
    const key = JSON.stringify([request.repoId, request.url, request.ref]);
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const previous = this.queues.get(request.repoId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.timed(request));
    const settled = current.finally(() => {
      this.inflight.delete(key);
      if (this.queues.get(request.repoId) === settled) this.queues.delete(request.repoId);
    });
    this.queues.set(request.repoId, settled);
    this.inflight.set(key, settled);
    return settled;
  }

  private async timed(request: FetchRequest): Promise<FetchResult> {
    const started = performance.now();
    const report = (ok: boolean) =>
      this.options.onFetched?.({ ok, seconds: (performance.now() - started) / 1000 });
    try {
      const result = await this.fetchNow(request);
      report(true);
      return result;
    } catch (error) {
      report(false);
      throw error;
    }
  }

  private async fetchNow(request: FetchRequest): Promise<FetchResult> {
    const url = await checkRepositoryUrl(request.url, { allowedHosts: this.options.allowedHosts ?? [] });
    const isCommitId = COMMIT_ID.test(request.ref);
    if (!isCommitId) checkRefName(request.ref);
    const gitdir = this.gitdir(request.repoId);
    await mkdir(gitdir, { recursive: true });
    await git.init({ fs, gitdir, bare: true, defaultBranch: 'main' });
    // the URL is credential-free (checked above), so it may live in the cache's config
    await git.addRemote({ fs, gitdir, remote: 'origin', url: url.href, force: true });
    if (isCommitId && (await this.hasCommit(gitdir, request.ref))) return { commit: request.ref };

    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const signal = AbortSignal.timeout(timeoutMs);
    const common = {
      fs,
      gitdir,
      cache: this.cache,
      remote: 'origin',
      http: createGitHttpClient({
        allowedHosts: this.options.allowedHosts ?? [],
        signal,
        maxResponseBytes: this.options.maxPackBytes ?? 256 * 1024 * 1024,
      }),
      onAuth: toOnAuth(request.credentials),
      // without this isomorphic-git would retry the same rejected credentials
      onAuthFailure: () => ({ cancel: true }),
    };
    try {
      if (isCommitId) {
        const shallow = await access(join(gitdir, 'shallow')).then(
          () => true,
          () => false,
        );
        await git.fetch({
          ...common,
          singleBranch: false,
          tags: true,
          depth: shallow ? FULL_DEPTH : undefined,
        });
        if (!(await this.hasCommit(gitdir, request.ref))) {
          throw new SourceError(
            'ref_not_found',
            `commit ${request.ref} is not reachable from any branch or tag of ${displayUrl(url)}`,
          );
        }
        return { commit: request.ref };
      }
      const result = await git.fetch({
        ...common,
        ref: request.ref,
        singleBranch: true,
        tags: false,
        depth: 1,
      });
      if (!result.fetchHead)
        throw new SourceError('ref_not_found', `ref "${request.ref}" not found in ${displayUrl(url)}`);
      return { commit: await this.peel(gitdir, result.fetchHead) };
    } catch (error) {
      throw this.describe(error, request, url, timeoutMs, signal);
    }
  }

  private describe(
    error: unknown,
    request: FetchRequest,
    url: URL,
    timeoutMs: number,
    signal: AbortSignal,
  ): SourceError {
    if (error instanceof SourceError) return error;
    const where = displayUrl(url);
    const code = errorCode(error);
    if (signal.aborted)
      return new SourceError('timeout', `fetching ${where} took longer than ${timeoutMs} ms (timeoutMs)`);
    if (code === 'UserCanceledError' || (code === 'HttpError' && [401, 403].includes(this.status(error)))) {
      return new SourceError(
        'auth_failed',
        request.credentials
          ? `authentication to ${where} failed: the repository credentials were rejected`
          : `${where} requires authentication and no credentials are configured`,
      );
    }
    if (code === 'NotFoundError')
      return new SourceError('ref_not_found', `ref "${request.ref}" not found in ${where}`);
    const message = error instanceof Error ? error.message : String(error);
    return new SourceError(
      'fetch_failed',
      `fetching ${where} failed: ${scrub(message, secretsOf(request.credentials))}`,
    );
  }

  private status(error: unknown): number {
    return (error as { data?: { statusCode?: number } }).data?.statusCode ?? 0;
  }

  private async hasCommit(gitdir: string, oid: string): Promise<boolean> {
    return git.readCommit({ fs, gitdir, oid, cache: this.cache }).then(
      () => true,
      () => false,
    );
  }

  /** Annotated tags point at tag objects; follow them to the commit. */
  private async peel(gitdir: string, oid: string): Promise<string> {
    let current = oid;
    for (let depth = 0; depth < 10; depth++) {
      const object = await git.readObject({ fs, gitdir, oid: current, cache: this.cache });
      if (object.type === 'commit') return current;
      if (object.type !== 'tag')
        throw new SourceError('ref_not_found', `ref points to a ${object.type}, not a commit`);
      current = (await git.readTag({ fs, gitdir, oid: current, cache: this.cache })).tag.object;
    }
    throw new SourceError('ref_not_found', 'tag chain too long');
  }

  /**
   * Entries of the directory `path` ('' = root) in `commit`'s tree, read from the cache.
   * `path` must already be validated (see render's normalisePath).
   */
  async readTree(repoId: string, commit: string, path: string): Promise<TreeEntry[]> {
    try {
      const { tree } = await git.readTree({
        fs,
        gitdir: this.gitdir(repoId),
        oid: commit,
        filepath: path || undefined,
        cache: this.cache,
      });
      return tree;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'NotFoundError' || code === 'ObjectTypeError') {
        if (!(await this.hasCommit(this.gitdir(repoId), commit))) {
          throw new SourceError(
            'ref_not_found',
            `commit ${commit} is not in the cache of ${repoId}: fetch it first`,
          );
        }
        throw new SourceError('path_not_found', `"${path || '.'}" is not a directory in commit ${commit}`);
      }
      throw treeError(error);
    }
  }

  /** Entries of a tree object by its id (used to walk subdirectories). */
  async readTreeObject(repoId: string, treeOid: string): Promise<TreeEntry[]> {
    try {
      return (await git.readTree({ fs, gitdir: this.gitdir(repoId), oid: treeOid, cache: this.cache })).tree;
    } catch (error) {
      throw treeError(error);
    }
  }

  async readBlob(repoId: string, oid: string): Promise<Uint8Array> {
    return (await git.readBlob({ fs, gitdir: this.gitdir(repoId), oid, cache: this.cache })).blob;
  }

  /** The raw commit payload and its gpgsig, for signature checks. */
  async readCommit(repoId: string, commit: string): Promise<{ payload: string; gpgsig?: string }> {
    const result = await git.readCommit({ fs, gitdir: this.gitdir(repoId), oid: commit, cache: this.cache });
    return { payload: result.payload, gpgsig: result.commit.gpgsig };
  }
}
