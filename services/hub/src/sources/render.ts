import type { GitFetcher } from './git-fetcher.js';
import { KUSTOMIZATION_FILES, renderKustomize } from './kustomize.js';
import {
  DEFAULT_RENDER_LIMITS,
  RenderBudget,
  decodeText,
  listFiles,
  normaliseRepoPath,
  readBytes,
  type RenderLimits,
  type SkippedEntry,
} from './tree-walk.js';

/** One rendered text: a manifest file (plain) or the whole kustomize output. */
export type RenderedFile = { path: string; content: string };

export interface RenderRequest {
  fetcher: GitFetcher;
  repoId: string;
  commit: string;
  /** Directory in the repository ('' or '.' = root). */
  path: string;
  limits?: Partial<RenderLimits>;
}

export interface RenderResult {
  kind: 'plain' | 'kustomize';
  files: RenderedFile[];
  /** Entries deliberately not read (symlinks, submodules). */
  skipped: SkippedEntry[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Name of the single file holding a kustomize build of directory `path`. */
export function kustomizeOutputPath(path: string): string {
  return path ? `${path}/kustomize-build.yaml` : 'kustomize-build.yaml';
}

/**
 * Renders a directory of a fetched commit: `kubectl kustomize` when it holds a kustomization,
 * otherwise every YAML/JSON file below it in sorted path order.
 */
export async function renderPath(request: RenderRequest): Promise<RenderResult> {
  const { fetcher, repoId, commit } = request;
  const path = normaliseRepoPath(request.path);
  const budget = new RenderBudget({ ...DEFAULT_RENDER_LIMITS, ...request.limits });
  const top = await fetcher.readTree(repoId, commit, path);
  const isKustomize = top.some(
    (entry) => entry.type === 'blob' && entry.mode !== '120000' && KUSTOMIZATION_FILES.includes(entry.path),
  );
  if (isKustomize) {
    const { content, skipped } = await renderKustomize(fetcher, repoId, commit, path, budget);
    return { kind: 'kustomize', files: [{ path: kustomizeOutputPath(path), content }], skipped };
  }
  const { files, skipped } = await listFiles(fetcher, repoId, commit, path, budget);
  const rendered: RenderedFile[] = [];
  for (const file of files.filter((candidate) => MANIFEST_FILE.test(candidate.path))) {
    rendered.push({
      path: file.path,
      content: decodeText(file.path, await readBytes(fetcher, repoId, file, budget)),
    });
  }
  return { kind: 'plain', files: rendered, skipped };
}
