import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

// The real CLI (bin/flotilla.mjs → dist) as a child process, for the CLI end-to-end specs.
export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/flotilla.mjs');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `flotilla <args>` with its own config file and no colours or ambient credentials. */
export function startCli(
  args: string[],
  config: string,
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: {
      ...process.env,
      FLOTILLA_CONFIG: config,
      NO_COLOR: '1',
      FLOTILLA_SERVER: '',
      FLOTILLA_TOKEN: '',
      ...env,
    },
  });
}

/** Collects a started CLI's output until it exits; the user never sees a stack trace. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs `flotilla <args>` to the end. Async on purpose: the hub runs in the test's process and
 * must keep answering while the CLI waits.
 */
export function runCli(args: string[], config: string, input = ''): Promise<Run> {
  const child = startCli(args, config);
  const done = finished(child);
  child.stdin.end(input);
  return done;
}
