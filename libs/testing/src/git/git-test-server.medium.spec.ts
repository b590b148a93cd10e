import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitTestServer } from './git-test-server.js';

const run = promisify(execFile);
const env = {
  PATH: process.env.PATH,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

describe('GitTestServer', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'flotilla-git-server-spec-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('serves a real clone over smart HTTP, including a shallow one, with symlinks kept as links', async () => {
    const server = await GitTestServer.start();
    try {
      const repo = await server.createRepo('app');
      await repo.commitFiles({ 'a.txt': 'one\n' }, 'first');
      const second = await repo.commitFiles({ 'dir/b.txt': 'two\n' }, 'second', {
        symlinks: { link: 'a.txt' },
      });
      const dest = join(scratch, 'clone');
      await run('git', ['clone', '--quiet', '--depth', '1', repo.url, dest], { env });
      expect(await readFile(join(dest, 'dir/b.txt'), 'utf8')).toBe('two\n');
      expect(await readlink(join(dest, 'link'))).toBe('a.txt');
      const { stdout } = await run('git', ['rev-parse', 'HEAD'], { cwd: dest, env });
      expect(stdout.trim()).toBe(second);
    } finally {
      await server.stop();
    }
  });

  it('answers 401 with WWW-Authenticate without credentials and accepts the right ones', async () => {
    const server = await GitTestServer.start({ auth: { username: 'alice', password: 's3cret' } });
    try {
      const repo = await server.createRepo('private');
      await repo.commitFiles({ 'x.yaml': 'a: 1\n' }, 'init');
      const anonymous = await fetch(`${repo.url}/info/refs?service=git-upload-pack`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
      const wrong = await fetch(`${repo.url}/info/refs?service=git-upload-pack`, {
        headers: { Authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` },
      });
      expect(wrong.status).toBe(401);
      const ok = await fetch(`${repo.url}/info/refs?service=git-upload-pack`, {
        headers: { Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
      expect(await ok.text()).toContain('refs/heads/main');
    } finally {
      await server.stop();
    }
  });

  it('accepts a token as Bearer or as the Basic password', async () => {
    const server = await GitTestServer.start({ auth: { token: 'tok-123' } });
    try {
      const repo = await server.createRepo('tokened');
      await repo.commitFiles({ 'x.yaml': 'a: 1\n' }, 'init');
      const path = `${repo.url}/info/refs?service=git-upload-pack`;
      expect((await fetch(path, { headers: { Authorization: 'Bearer tok-123' } })).status).toBe(200);
      expect((await fetch(path, { headers: { Authorization: 'Bearer tok-999' } })).status).toBe(401);
      const basic = `Basic ${Buffer.from('x-access-token:tok-123').toString('base64')}`;
      expect((await fetch(path, { headers: { Authorization: basic } })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('creates branches, annotated tags and signed commits that git itself reads back', async () => {
    const server = await GitTestServer.start();
    try {
      const repo = await server.createRepo('refs');
      const first = await repo.commitFiles({ 'a.txt': '1' }, 'first');
      await repo.tag('v1', { message: 'release 1' });
      await repo.branch('stable');
      const { privateKey } = await openpgp.generateKey({
        type: 'ecc',
        curve: 'ed25519Legacy',
        userIDs: [{ name: 'Signer', email: 'signer@flotilla.invalid' }],
        format: 'armored',
      });
      const signed = await repo.commitFiles({ 'a.txt': '2' }, 'signed', {
        sign: { armoredPrivateKey: privateKey },
      });
      const { stdout: refs } = await run('git', ['ls-remote', repo.url], { env });
      expect(refs).toContain(`${first}\trefs/heads/stable`);
      expect(refs).toContain(`${signed}\trefs/heads/main`);
      expect(refs).toContain(`${first}\trefs/tags/v1^{}`);
      const { stdout: raw } = await run('git', ['cat-file', 'commit', signed], { cwd: repo.bareDir, env });
      expect(raw).toContain('gpgsig -----BEGIN PGP SIGNATURE-----');
      expect(raw).toContain(`parent ${first}`);
    } finally {
      await server.stop();
    }
  });

  it('refuses repository names that could escape the project root', async () => {
    const server = await GitTestServer.start();
    try {
      await expect(server.createRepo('../evil')).rejects.toThrow(/invalid test repository name/);
    } finally {
      await server.stop();
    }
  });
});
