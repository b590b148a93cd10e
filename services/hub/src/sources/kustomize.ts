import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { SourceError } from './errors.js';
import type { GitFetcher } from './git-fetcher.js';
import {
  decodeText,
  listFiles,
  parentOf,
  readBytes,
  type RenderBudget,
  type SkippedEntry,
  type TreeFile,
} from './tree-walk.js';

const run = promisify(execFile);

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Fields whose entries kustomize may fetch from the network when they are URLs. */
const REFERENCE_FIELDS = ['resources', 'bases', 'components'] as const;
const REMOTE_LOOKING =
  /^([a-z][a-z0-9+.-]*:\/\/|git@|(github\.com|gitlab\.com|bitbucket\.org)\/)|\?(ref|version|submodules|timeout)=/i;

/**
 * kubectl runs without credentials, kubeconfig or a usable proxy: even if a remote reference
 * slipped past the checks below, it could neither authenticate nor connect.
 */
function kubectlEnv(home: string): NodeJS.ProcessEnv {
  const deadProxy = 'http://127.0.0.1:9';
  return {
    PATH: process.env.PATH,
    HOME: home,
    KUBECONFIG: join(home, 'no-kubeconfig'),
    HTTP_PROXY: deadProxy,
    HTTPS_PROXY: deadProxy,
    http_proxy: deadProxy,
    https_proxy: deadProxy,
    NO_PROXY: '',
    GIT_ALLOW_PROTOCOL: 'none',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
  };
}

/**
 * Checks one kustomization: every resources/bases/components entry must be a file or directory
 * of this commit. Returns the directories it references (further kustomizations to check).
 */
function checkReferences(
  kustomizationPath: string,
  text: string,
  present: Set<string>,
  files: Set<string>,
): string[] {
  const referenced: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new SourceError(
      'render_failed',
      `${kustomizationPath} is not valid YAML: ${(error as Error).message}`,
    );
  }
  if (!doc || typeof doc !== 'object') return referenced;
  const fields = doc as Record<string, unknown>;
  if (fields.helmCharts || fields.helmChartInflationGenerator) {
    throw new SourceError('render_failed', `${kustomizationPath}: Helm charts are not rendered (helmCharts)`);
  }
  const dir = parentOf(kustomizationPath);
  for (const field of REFERENCE_FIELDS) {
    const entries = fields[field];
    if (entries === undefined) continue;
    if (!Array.isArray(entries))
      throw new SourceError('render_failed', `${kustomizationPath}: "${field}" must be a list`);
    for (const entry of entries) {
      if (typeof entry !== 'string')
        throw new SourceError('render_failed', `${kustomizationPath}: "${field}" entries must be strings`);
      if (REMOTE_LOOKING.test(entry)) {
        throw new SourceError(
          'render_failed',
          `${kustomizationPath}: remote ${field} entry "${entry}" is not allowed; vendor it into the repository`,
        );
      }
      const target = posix.normalize(posix.join(dir, entry));
      if (posix.isAbsolute(entry) || target === '..' || target.startsWith('../')) {
        throw new SourceError(
          'path_refused',
          `${kustomizationPath}: ${field} entry "${entry}" points outside the repository`,
        );
      }
      if (!present.has(target === '.' ? '' : target)) {
        throw new SourceError(
          'render_failed',
          `${kustomizationPath}: ${field} entry "${entry}" is not a file or directory of this commit`,
        );
      }
      if (!files.has(target)) referenced.push(target === '.' ? '' : target);
    }
  }
  return referenced;
}

/**
 * Follows the kustomizations reachable from `start` (only those kustomize will load, so an
 * unrelated broken one elsewhere in the repository does not matter).
 */
function checkReachable(
  start: string,
  kustomizations: Map<string, TreeFile & { text: string }>,
  files: TreeFile[],
): void {
  const present = pathsOf(files);
  const filePaths = new Set(files.map((file) => file.path));
  const seen = new Set<string>();
  const queue = [start];
  for (let dir = queue.pop(); dir !== undefined; dir = queue.pop()) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const kustomization = kustomizations.get(dir);
    if (kustomization)
      queue.push(...checkReferences(kustomization.path, kustomization.text, present, filePaths));
  }
}

/** Every file and every directory (as prefixes) in the listing, '' being the root. */
function pathsOf(files: TreeFile[]): Set<string> {
  const present = new Set<string>(['']);
  for (const file of files) {
    present.add(file.path);
    for (let dir = parentOf(file.path); dir && !present.has(dir); dir = parentOf(dir)) present.add(dir);
  }
  return present;
}

/**
 * Renders the kustomization at `path`: writes the commit's regular files (never symlinks) into a
 * private temp dir, checks every kustomization's references, then runs `kubectl kustomize`.
 */
export async function renderKustomize(
  fetcher: GitFetcher,
  repoId: string,
  commit: string,
  path: string,
  budget: RenderBudget,
): Promise<{ content: string; skipped: SkippedEntry[] }> {
  // overlays reach bases elsewhere in the repository (../../base), so the whole tree is needed
  const { files, skipped } = await listFiles(fetcher, repoId, commit, '', budget);
  const kustomizations = new Map<string, TreeFile & { text: string }>();
  const root = await mkdtemp(join(tmpdir(), 'flotilla-kustomize-'));
  try {
    const tree = join(root, 'repo');
    for (const file of files) {
      const bytes = await readBytes(fetcher, repoId, file, budget);
      if (KUSTOMIZATION_FILES.includes(posix.basename(file.path))) {
        kustomizations.set(parentOf(file.path), { ...file, text: decodeText(file.path, bytes) });
      }
      const target = join(tree, file.path);
      await mkdir(join(tree, parentOf(file.path)), { recursive: true });
      // "wx": never overwrite (or write through) anything already there
      await writeFile(target, bytes, { mode: 0o644, flag: 'wx' });
    }
    checkReachable(path, kustomizations, files);
    const home = join(root, 'home');
    await mkdir(home);
    budget.checkTime();
    const timeout = budget.remainingMs();
    try {
      const { stdout } = await run(
        'kubectl',
        ['kustomize', join(tree, path), '--load-restrictor', 'LoadRestrictionsRootOnly'],
        {
          cwd: home,
          env: kubectlEnv(home),
          timeout,
          killSignal: 'SIGKILL',
          maxBuffer: budget.limits.maxTotalBytes,
        },
      );
      budget.addOutputBytes(Buffer.byteLength(stdout));
      return { content: stdout, skipped };
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { killed?: boolean; stderr?: string };
      if (failure.killed)
        throw new SourceError(
          'limit_exceeded',
          `kustomize took longer than the render limit of ${budget.limits.timeoutMs} ms (timeoutMs)`,
        );
      if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        throw new SourceError(
          'limit_exceeded',
          `kustomize output exceeds ${budget.limits.maxTotalBytes} bytes (maxTotalBytes)`,
        );
      }
      const stderr = (failure.stderr ?? failure.message)
        .split(`${tree}/`)
        .join('')
        .split(tree)
        .join('.')
        .trim();
      throw new SourceError('render_failed', `kustomize failed for ${path || '.'}: ${stderr}`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
