#!/usr/bin/env node
// Runs the compiled CLI, rebuilding dist/ first (≈1 s) when it is missing or older than the
// CLI's sources — so `npx flotilla` works straight from a checkout without a manual build.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist/services/cli/src/main.js');
const sources = join(root, 'services/cli/src');

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const newestSource = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestSource(path) : mtime(path));
  }, 0);

const built = mtime(main);
if (!built || (statSync(sources, { throwIfNoEntry: false }) && newestSource(sources) > built)) {
  try {
    // stdout stays the command's own: build output goes to stderr.
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: ['ignore', 2, 2] });
  } catch {
    process.stderr.write('error: building the CLI failed (node scripts/build.mjs, output above)\n');
    process.exit(1);
  }
}
await import(pathToFileURL(main).href);
