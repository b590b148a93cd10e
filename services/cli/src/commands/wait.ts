import { CliError, ExitCode } from '../errors.js';
import { Spinner } from '../output/spinner.js';

export interface ClusterSync {
  name: string;
  revision?: number | null;
  commit?: string | null;
  syncState?: string | null;
  health?: string | null;
  lastError?: { reason: string; message: string } | string | null;
}

/** The hub reports agent failures as `{reason, message}`; older answers carried a string. */
function errorText(error: NonNullable<ClusterSync['lastError']>): string {
  return typeof error === 'string' ? error : `${error.reason}: ${error.message}`;
}

export type Progress = { done: true; message: string } | { done: false; failed: boolean; message: string };

/**
 * Where a binding's rollout stands: done when every targeted cluster reports Synced (at the
 * `target` revision number or commit, when given); failed as soon as one reports Failed.
 */
export function progressOf(clusters: ClusterSync[], target?: number | string): Progress {
  const atTarget = (c: ClusterSync) =>
    target === undefined ||
    (typeof target === 'number' ? c.revision === target : Boolean(c.commit && c.commit.startsWith(target)));
  const failed = clusters.filter((c) => c.syncState === 'Failed');
  if (failed.length) {
    const detail = failed
      .map((c) => `${c.name}${c.lastError ? `: ${errorText(c.lastError)}` : ''}`)
      .join('; ');
    return { done: false, failed: true, message: `sync failed on ${detail}` };
  }
  const pending = clusters.filter((c) => c.syncState !== 'Synced' || !atTarget(c));
  if (pending.length === 0) return { done: true, message: `all ${clusters.length} cluster(s) synced` };
  const sample = pending
    .slice(0, 3)
    .map((c) => `${c.name}: ${c.syncState ?? 'no report'}`)
    .join(', ');
  return {
    done: false,
    failed: false,
    message: `waiting for ${pending.length}/${clusters.length} cluster(s) (${sample}${pending.length > 3 ? ', …' : ''})`,
  };
}

/** Polls `read` until the rollout is done, fails (exit 1) or the timeout passes (exit 6). */
export async function waitForSync(
  read: () => Promise<ClusterSync[]>,
  options: { target?: number | string; timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const spinner = new Spinner();
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (;;) {
      const progress = progressOf(await read(), options.target);
      if (progress.done) return spinner.stop(progress.message);
      if (progress.failed) throw new CliError(progress.message);
      if (Date.now() >= deadline) {
        throw new CliError(
          `timed out after ${options.timeoutMs / 1000}s, ${progress.message}`,
          ExitCode.unavailable,
        );
      }
      spinner.update(progress.message);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2000));
    }
  } finally {
    spinner.stop();
  }
}
