import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs from dist/services/bench/src/. */
export const repoRoot = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
export const resultsDir = join(repoRoot, 'test/bench/results');

/** One row of a scenario's result table: a named measurement, its value, unit and target. */
export interface ResultRow {
  metric: string;
  value: number | string;
  unit: string;
  /** The target, as text ("≤ 100 ms"); informational, never enforced. */
  target?: string;
}

export interface ScenarioResult {
  scenario: string;
  parameters: Record<string, unknown>;
  results: ResultRow[];
  notes?: string[];
}

export async function machine() {
  return {
    platform: `${platform()} ${release()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    freeMemoryMiB: Math.round(freemem() / 2 ** 20),
  };
}

export async function versions(extra: Record<string, string> = {}) {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  return { flotilla: pkg.version, node: process.version, ...extra };
}

/** Prints the table and writes `<scenario>-<timestamp>.json` with machine, versions, parameters. */
export async function report(result: ScenarioResult, extraVersions: Record<string, string> = {}) {
  const rows = result.results.map((r) => [r.metric, String(r.value), r.unit, r.target ?? '']);
  const header = ['metric', 'value', 'unit', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const params = Object.entries(result.parameters)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  const out = [`\n${result.scenario} (${params})`, line(header), line(widths.map((w) => '-'.repeat(w)))];
  for (const row of rows) out.push(line(row));
  for (const note of result.notes ?? []) out.push(`note: ${note}`);
  process.stdout.write(`${out.join('\n')}\n`);

  const at = new Date();
  const document = {
    ...result,
    at: at.toISOString(),
    machine: await machine(),
    versions: await versions(extraVersions),
  };
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `${result.scenario}-${at.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
  return file;
}
