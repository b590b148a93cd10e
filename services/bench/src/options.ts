import type { ApplyLatency } from '@flotilla/testing';

/** What every scenario is given: sizes from the command line, `quick` for a small run. */
export interface BenchOptions {
  quick: boolean;
  agents?: number;
  bindings?: number;
  /** Scenario-specific: clusters for fleet-status, objects per binding, samples, … */
  clusters?: number;
  objects?: number;
  samples?: number;
  /** Write latency of in-process clusters (`--apply-latency p50,p90` in ms, or 0 for none). */
  applyLatency?: ApplyLatency | false;
  /** Seconds between one agent's status reports (status-ingest). */
  interval?: number;
}

/** `--apply-latency 15,30` → p50 15 ms, p90 30 ms; `0` → none. */
export function parseApplyLatency(text: string | undefined): ApplyLatency | false | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '0') return false;
  const [p50Ms, p90Ms] = text.split(',').map(Number);
  if (!(p50Ms! > 0 && p90Ms! >= p50Ms!))
    throw new Error('--apply-latency must be "p50,p90" in ms (p90 ≥ p50 > 0) or 0');
  return { p50Ms: p50Ms!, p90Ms: p90Ms! };
}

export const pick = (given: number | undefined, quick: boolean, small: number, full: number) =>
  given ?? (quick ? small : full);
