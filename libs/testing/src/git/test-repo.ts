import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import git from 'isomorphic-git';
import * as openpgp from 'openpgp';

const run = promisify(execFile);

/** Environment for the test's own `git` runs: no user or system config can change behaviour. */
const GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Flotilla Test',
  GIT_AUTHOR_EMAIL: 'test@flotilla.invalid',
  GIT_COMMITTER_NAME: 'Flotilla Test',
  GIT_COMMITTER_EMAIL: 'test@flotilla.invalid',
};

/** Runs git with `input` on stdin (execFile's promise form has no stdin). */
function gitWithInput(cwd: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: GIT_ENV });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`git ${args.join(' ')} failed: ${err.trim()}`)),
    );
    child.stdin.end(input);
  });
}

/** A raw tree entry for `craftCommit`: any name git's object format can hold, even "..". */
export interface CraftedEntry {
  name: string;
  content: string;
  /** Default 100644; 120000 makes a symlink whose target is `content`. */
  mode?: '100644' | '100755' | '120000';
}

export interface CommitOptions {
  /** Branch to commit on; created from the current commit when missing. Default: the current branch. */
  branch?: string;
  /**
   * Signs the commit: with an armored OpenPGP key (written through isomorphic-git's `onSign`),
   * or by real `git commit -S` with GnuPG using a key already imported into `gnupgHome`.
   */
  sign?: { armoredPrivateKey: string } | { gnupgHome: string; keyId: string };
  /** Symbolic links to add: link path → target (stored as mode 120000). */
  symlinks?: Record<string, string>;
}

function checkedPath(root: string, path: string): string {
  const normalised = normalize(path);
  if (isAbsolute(path) || normalised.startsWith('..') || normalised === '.') {
    throw new Error(`test repository path must be relative and inside the repository: ${path}`);
  }
  return join(root, normalised);
}

/** Signs like `git commit -S`: a detached binary signature over the commit payload. */
async function signPayload({
  payload,
  secretKey,
}: {
  payload: string;
  secretKey: string;
}): Promise<{ signature: string }> {
  const signingKeys = await openpgp.readPrivateKey({ armoredKey: secretKey });
  const message = await openpgp.createMessage({ binary: new TextEncoder().encode(payload) });
  const signature = await openpgp.sign({ message, signingKeys, detached: true, format: 'armored' });
  return { signature };
}

/**
 * A bare repository served by the test server plus a private working clone used to write
 * commits into it. Every `git` call is an async child process: a synchronous one would block
 * the event loop of the process that also hosts the HTTP server.
 */
export class TestRepo {
  private constructor(
    readonly bareDir: string,
    readonly url: string,
    private readonly workDir: string,
  ) {}

  static async create(bareDir: string, url: string): Promise<TestRepo> {
    await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', bareDir], { env: GIT_ENV });
    const workDir = await mkdtemp(join(tmpdir(), 'flotilla-git-work-'));
    const repo = new TestRepo(bareDir, url, workDir);
    await repo.git('init', '--quiet', '--initial-branch=main');
    await repo.git('remote', 'add', 'origin', bareDir);
    return repo;
  }

  private async git(...args: string[]): Promise<string> {
    return this.gitWithEnv({}, ...args);
  }

  private async gitWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
    const { stdout } = await run('git', args, { cwd: this.workDir, env: { ...GIT_ENV, ...env } });
    return stdout.trim();
  }

  private async headCommit(): Promise<string | undefined> {
    return this.git('rev-parse', '--verify', '--quiet', 'HEAD').catch(() => undefined);
  }

  private async switchTo(branch: string): Promise<void> {
    const exists = await this.git('rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).then(
      () => true,
      () => false,
    );
    await this.git('checkout', '--quiet', ...(exists ? [branch] : ['-b', branch]));
  }

  /** Writes (string) or deletes (null) files, commits, pushes, and returns the new commit id. */
  async commitFiles(
    files: Record<string, string | null>,
    message: string,
    options: CommitOptions = {},
  ): Promise<string> {
    if (options.branch) await this.switchTo(options.branch);
    for (const [path, content] of Object.entries(files)) {
      const target = checkedPath(this.workDir, path);
      if (content === null) {
        await rm(target, { force: true });
      } else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
    for (const [path, linkTarget] of Object.entries(options.symlinks ?? {})) {
      const target = checkedPath(this.workDir, path);
      await mkdir(dirname(target), { recursive: true });
      await rm(target, { force: true });
      await symlink(linkTarget, target);
    }
    await this.git('add', '--all');
    const commit = ['commit', '--quiet', '--allow-empty', '-m', message];
    if (!options.sign) await this.git(...commit, '--no-gpg-sign');
    else if ('armoredPrivateKey' in options.sign)
      await this.commitSigned(message, options.sign.armoredPrivateKey);
    else
      await this.gitWithEnv(
        { GNUPGHOME: options.sign.gnupgHome },
        ...commit,
        `--gpg-sign=${options.sign.keyId}`,
      );
    const branch = await this.git('symbolic-ref', '--short', 'HEAD');
    await this.git('push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
    return this.git('rev-parse', 'HEAD');
  }

  private async commitSigned(message: string, armoredPrivateKey: string): Promise<void> {
    const tree = await this.git('write-tree');
    const parent = await this.headCommit();
    const identity = { name: 'Flotilla Test', email: 'test@flotilla.invalid' };
    const oid = await git.commit({
      fs,
      dir: this.workDir,
      message,
      author: identity,
      committer: identity,
      tree,
      parent: parent ? [parent] : [],
      signingKey: armoredPrivateKey,
      onSign: signPayload,
      noUpdateBranch: true,
    });
    await this.git('update-ref', 'HEAD', oid);
  }

  /** Tags the current commit (annotated when a message is given) and pushes the tag. */
  async tag(name: string, options: { message?: string } = {}): Promise<string> {
    await this.git('tag', ...(options.message ? ['-a', '-m', options.message] : []), name);
    await this.git('push', '--quiet', 'origin', `refs/tags/${name}`);
    return this.git('rev-parse', 'HEAD');
  }

  /** Creates a branch at the current commit and pushes it; later commits stay on the current branch. */
  async branch(name: string): Promise<string> {
    await this.git('branch', name);
    await this.git('push', '--quiet', 'origin', `refs/heads/${name}`);
    return this.git('rev-parse', 'HEAD');
  }

  /**
   * Writes a root commit with a hand-made one-level tree straight into the bare repository
   * (no working tree, no checks), for hostile-repository tests; returns its id.
   */
  async craftCommit(branch: string, entries: CraftedEntry[], message = 'crafted'): Promise<string> {
    const lines: string[] = [];
    for (const entry of entries) {
      const blob = await gitWithInput(this.bareDir, ['hash-object', '-w', '--stdin'], entry.content);
      lines.push(`${entry.mode ?? '100644'} blob ${blob}\t${entry.name}\n`);
    }
    const tree = await gitWithInput(this.bareDir, ['mktree'], lines.join(''));
    const commit = await gitWithInput(this.bareDir, ['commit-tree', tree, '-m', message], '');
    await gitWithInput(this.bareDir, ['update-ref', `refs/heads/${branch}`, commit], '');
    return commit;
  }

  async dispose(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
  }
}
