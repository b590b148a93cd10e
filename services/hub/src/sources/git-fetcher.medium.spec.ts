import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitTestServer, type TestRepo } from '@flotilla/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from './errors.js';
import { GitFetcher } from './git-fetcher.js';

/** The test server listens on 127.0.0.1: it must be explicitly allowed, like an in-house Git host. */
function allowFor(server: GitTestServer): string[] {
  return [server.baseUrl];
}

describe('GitFetcher against a real git http-backend', () => {
  let cacheDir: string;
  let server: GitTestServer;
  let repo: TestRepo;
  let fetcher: GitFetcher;

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'flotilla-fetch-spec-'));
    server = await GitTestServer.start();
    repo = await server.createRepo('app');
    fetcher = new GitFetcher({ cacheDir, allowedHosts: allowFor(server) });
  });
  afterAll(async () => {
    await server.stop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('resolves a branch, picks up a new commit on the next fetch, and reads its tree', async () => {
    const first = await repo.commitFiles({ 'deploy/a.yaml': 'a: 1\n' }, 'first');
    expect(await fetcher.fetch({ repoId: 'r1', url: repo.url, ref: 'main' })).toEqual({ commit: first });
    const second = await repo.commitFiles({ 'deploy/b.yaml': 'b: 2\n' }, 'second');
    expect(await fetcher.fetch({ repoId: 'r1', url: repo.url, ref: 'main' })).toEqual({ commit: second });
    const entries = await fetcher.readTree('r1', second, 'deploy');
    expect(entries.map((entry) => entry.path)).toEqual(['a.yaml', 'b.yaml']);
    const blob = await fetcher.readBlob('r1', entries[1]!.oid);
    expect(Buffer.from(blob).toString()).toBe('b: 2\n');
  });

  it('resolves lightweight and annotated tags to their commit, and other branches', async () => {
    const tagged = await repo.commitFiles({ 'v.txt': 'tagged' }, 'to tag');
    await repo.tag('v1.0.0');
    await repo.tag('v1.0.0-annotated', { message: 'annotated release' });
    await repo.branch('release');
    await repo.commitFiles({ 'v.txt': 'later' }, 'after the tag');
    expect(await fetcher.fetch({ repoId: 'r2', url: repo.url, ref: 'v1.0.0' })).toEqual({ commit: tagged });
    expect(await fetcher.fetch({ repoId: 'r2', url: repo.url, ref: 'v1.0.0-annotated' })).toEqual({
      commit: tagged,
    });
    expect(await fetcher.fetch({ repoId: 'r2', url: repo.url, ref: 'release' })).toEqual({ commit: tagged });
  });

  it('resolves a full commit id that is not a branch tip, even after shallow fetches', async () => {
    const old = await repo.commitFiles({ 'old.txt': 'old' }, 'old commit');
    await repo.commitFiles({ 'new.txt': 'new' }, 'newer commit');
    await fetcher.fetch({ repoId: 'r3', url: repo.url, ref: 'main' }); // leaves a depth-1 cache
    expect(await fetcher.fetch({ repoId: 'r3', url: repo.url, ref: old })).toEqual({ commit: old });
    const entries = await fetcher.readTree('r3', old, '');
    expect(entries.map((entry) => entry.path)).toContain('old.txt');
  });

  it('reports unknown refs and unknown commits clearly', async () => {
    await expect(fetcher.fetch({ repoId: 'r4', url: repo.url, ref: 'no-such-branch' })).rejects.toMatchObject(
      {
        code: 'ref_not_found',
        message: expect.stringContaining('no-such-branch'),
      },
    );
    const missing = 'f'.repeat(40);
    await expect(fetcher.fetch({ repoId: 'r4', url: repo.url, ref: missing })).rejects.toMatchObject({
      code: 'ref_not_found',
      message: expect.stringContaining(`commit ${missing} is not reachable`),
    });
    await expect(
      fetcher.fetch({ repoId: 'r4', url: repo.url, ref: '--upload-pack=evil' }),
    ).rejects.toMatchObject({
      code: 'ref_not_found',
      message: expect.stringContaining('invalid ref name'),
    });
  });

  it('shares one fetch between concurrent identical requests and serialises others', async () => {
    const head = await repo.commitFiles({ 'c.txt': 'concurrent' }, 'concurrent');
    const a = fetcher.fetch({ repoId: 'r5', url: repo.url, ref: 'main' });
    const b = fetcher.fetch({ repoId: 'r5', url: repo.url, ref: 'main' });
    const c = fetcher.fetch({ repoId: 'r5', url: repo.url, ref: 'release' });
    expect(a).toBe(b);
    const [ra, , rc] = await Promise.all([a, b, c]);
    expect(ra.commit).toBe(head);
    expect(rc.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses the loopback test server when it is not allow-listed', async () => {
    const strict = new GitFetcher({ cacheDir });
    await expect(strict.fetch({ repoId: 'r6', url: repo.url, ref: 'main' })).rejects.toMatchObject({
      code: 'url_refused',
    });
  });

  it('times out with a clear error', async () => {
    const hurried = new GitFetcher({ cacheDir, allowedHosts: allowFor(server), timeoutMs: 1 });
    await expect(hurried.fetch({ repoId: 'r7', url: repo.url, ref: 'main' })).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringContaining('timeoutMs'),
    });
  });

  it('caps the downloaded pack size', async () => {
    await repo.commitFiles({ 'big.txt': randomBytes(100_000).toString('base64') }, 'big');
    const capped = new GitFetcher({ cacheDir, allowedHosts: allowFor(server), maxPackBytes: 2_000 });
    await expect(capped.fetch({ repoId: 'r8', url: repo.url, ref: 'main' })).rejects.toMatchObject({
      code: 'limit_exceeded',
      message: expect.stringContaining('maxPackBytes'),
    });
  });
});

describe('GitFetcher authentication', () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'flotilla-fetch-auth-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('fetches with basic auth; wrong or missing credentials fail without leaking the password', async () => {
    const server = await GitTestServer.start({
      auth: { username: 'alice', password: 'correct-horse-battery' },
    });
    try {
      const repo = await server.createRepo('private');
      const head = await repo.commitFiles({ 'a.yaml': 'a: 1\n' }, 'init');
      const fetcher = new GitFetcher({ cacheDir, allowedHosts: [server.baseUrl] });
      const ok = await fetcher.fetch({
        repoId: 'basic-ok',
        url: repo.url,
        ref: 'main',
        credentials: { username: 'alice', password: 'correct-horse-battery' },
      });
      expect(ok.commit).toBe(head);
      const wrong = await fetcher
        .fetch({
          repoId: 'basic-wrong',
          url: repo.url,
          ref: 'main',
          credentials: { username: 'alice', password: 'hunter2-wrong' },
        })
        .then(
          () => expect.unreachable('expected a rejection'),
          (error: unknown) => error as SourceError,
        );
      expect(wrong).toMatchObject({
        code: 'auth_failed',
        message: expect.stringContaining('credentials were rejected'),
      });
      expect(wrong.message).not.toContain('hunter2-wrong');
      expect(wrong.message).toContain(repo.url);
      await expect(fetcher.fetch({ repoId: 'basic-none', url: repo.url, ref: 'main' })).rejects.toMatchObject(
        {
          code: 'auth_failed',
          message: expect.stringContaining('no credentials are configured'),
        },
      );
    } finally {
      await server.stop();
    }
  });

  it('fetches with a token; a wrong token fails without leaking it', async () => {
    const server = await GitTestServer.start({ auth: { token: 'ghp_correcttoken123' } });
    try {
      const repo = await server.createRepo('tokened');
      const head = await repo.commitFiles({ 'a.yaml': 'a: 1\n' }, 'init');
      const fetcher = new GitFetcher({ cacheDir, allowedHosts: [server.baseUrl] });
      expect(
        await fetcher.fetch({
          repoId: 'tok-ok',
          url: repo.url,
          ref: 'main',
          credentials: { token: 'ghp_correcttoken123' },
        }),
      ).toEqual({
        commit: head,
      });
      const wrong = await fetcher
        .fetch({
          repoId: 'tok-wrong',
          url: repo.url,
          ref: 'main',
          credentials: { token: 'ghp_wrongtoken456' },
        })
        .then(
          () => expect.unreachable('expected a rejection'),
          (error: unknown) => error as SourceError,
        );
      expect(wrong.code).toBe('auth_failed');
      expect(JSON.stringify({ message: wrong.message, stack: wrong.stack })).not.toContain(
        'ghp_wrongtoken456',
      );
    } finally {
      await server.stop();
    }
  });
});
