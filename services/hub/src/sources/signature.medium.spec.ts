import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitTestServer, type TestRepo } from '@flotilla/testing';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFetcher } from './git-fetcher.js';
import { verifyCommitPayload, verifyCommitSignature } from './signature.js';

const run = promisify(execFile);

async function keyPair(type: 'ecc' | 'rsa', email: string) {
  const userIDs = [{ name: 'Release Bot', email }];
  return type === 'ecc'
    ? openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs, format: 'armored' })
    : openpgp.generateKey({ type: 'rsa', rsaBits: 2048, userIDs, format: 'armored' });
}

describe('verifyCommitSignature', () => {
  let cacheDir: string;
  let server: GitTestServer;
  let repo: TestRepo;
  let fetcher: GitFetcher;
  let trusted: Awaited<ReturnType<typeof keyPair>>;
  let rsa: Awaited<ReturnType<typeof keyPair>>;
  let stranger: Awaited<ReturnType<typeof keyPair>>;

  async function commitAndFetch(sign?: string) {
    const commit = await repo.commitFiles(
      { 'f.txt': String(Math.random()) },
      'change',
      sign ? { sign: { armoredPrivateKey: sign } } : {},
    );
    await fetcher.fetch({ repoId: 'signed', url: repo.url, ref: 'main' });
    return commit;
  }

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'flotilla-signature-spec-'));
    server = await GitTestServer.start();
    repo = await server.createRepo('signed');
    fetcher = new GitFetcher({ cacheDir, allowedHosts: [server.baseUrl] });
    [trusted, rsa, stranger] = await Promise.all([
      keyPair('ecc', 'bot@flotilla.invalid'),
      keyPair('rsa', 'rsa@flotilla.invalid'),
      keyPair('ecc', 'eve@evil.invalid'),
    ]);
  });
  afterAll(async () => {
    await server.stop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('verifies a commit signed by a trusted ed25519 or RSA key', async () => {
    const keys = [trusted.publicKey, rsa.publicKey];
    const eccCommit = await commitAndFetch(trusted.privateKey);
    const verdict = await verifyCommitSignature({
      fetcher,
      repoId: 'signed',
      commit: eccCommit,
      trustedKeys: keys,
    });
    const expectedKey = await openpgp.readKey({ armoredKey: trusted.publicKey });
    expect(verdict).toEqual({
      verified: true,
      keyId: expectedKey.getKeyID().toHex(),
      fingerprint: expectedKey.getFingerprint(),
      signer: 'Release Bot <bot@flotilla.invalid>',
    });
    const rsaCommit = await commitAndFetch(rsa.privateKey);
    expect(
      await verifyCommitSignature({ fetcher, repoId: 'signed', commit: rsaCommit, trustedKeys: keys }),
    ).toMatchObject({
      verified: true,
      signer: 'Release Bot <rsa@flotilla.invalid>',
    });
  });

  it('reports unsigned commits and commits signed by an untrusted key', async () => {
    const unsigned = await commitAndFetch();
    expect(
      await verifyCommitSignature({
        fetcher,
        repoId: 'signed',
        commit: unsigned,
        trustedKeys: [trusted.publicKey],
      }),
    ).toEqual({
      verified: false,
      reason: 'unsigned',
    });
    const byStranger = await commitAndFetch(stranger.privateKey);
    expect(
      await verifyCommitSignature({
        fetcher,
        repoId: 'signed',
        commit: byStranger,
        trustedKeys: [trusted.publicKey],
      }),
    ).toEqual({
      verified: false,
      reason: 'untrusted',
    });
  });

  it('reports a signature that does not match the commit content as invalid', async () => {
    const commit = await commitAndFetch(trusted.privateKey);
    const { payload, gpgsig } = await fetcher.readCommit('signed', commit);
    const tampered = payload.replace('change', 'chang3');
    expect(tampered).not.toBe(payload);
    expect(
      await verifyCommitPayload({ payload: tampered, gpgsig, trustedKeys: [trusted.publicKey] }),
    ).toEqual({ verified: false, reason: 'invalid' });
    expect(
      await verifyCommitPayload({ payload, gpgsig: 'not a signature', trustedKeys: [trusted.publicKey] }),
    ).toEqual({ verified: false, reason: 'invalid' });
  });

  it('verifies a commit signed by real `git commit -S` with GnuPG', async () => {
    const gnupgHome = await mkdtemp(join(tmpdir(), 'flotilla-gpg-'));
    try {
      await chmod(gnupgHome, 0o700);
      await writeFile(join(gnupgHome, 'key.asc'), trusted.privateKey);
      await run('gpg', ['--batch', '--quiet', '--import', join(gnupgHome, 'key.asc')], {
        env: { ...process.env, GNUPGHOME: gnupgHome },
      });
      const key = await openpgp.readKey({ armoredKey: trusted.publicKey });
      const commit = await repo.commitFiles({ 'gpg.txt': 'by gnupg' }, 'gpg signed', {
        sign: { gnupgHome, keyId: key.getFingerprint().toUpperCase() },
      });
      await fetcher.fetch({ repoId: 'signed', url: repo.url, ref: 'main' });
      const { gpgsig } = await fetcher.readCommit('signed', commit);
      expect(gpgsig).toContain('BEGIN PGP SIGNATURE');
      expect(
        await verifyCommitSignature({ fetcher, repoId: 'signed', commit, trustedKeys: [trusted.publicKey] }),
      ).toMatchObject({
        verified: true,
        fingerprint: key.getFingerprint(),
      });
      expect(
        await verifyCommitSignature({ fetcher, repoId: 'signed', commit, trustedKeys: [stranger.publicKey] }),
      ).toEqual({
        verified: false,
        reason: 'untrusted',
      });
    } finally {
      await run('gpgconf', ['--homedir', gnupgHome, '--kill', 'gpg-agent']).catch(() => undefined);
      await rm(gnupgHome, { recursive: true, force: true });
    }
  });

  it('rejects a trusted key list entry that is not a public key', async () => {
    await expect(
      verifyCommitPayload({ payload: 'x', gpgsig: undefined, trustedKeys: ['garbage'] }),
    ).rejects.toThrow(/trusted key #1 is not a valid armored OpenPGP public key/);
  });
});
