/** What every scenario is given: sizes from the command line, `quick` for a small run. */
export interface BenchOptions {
  quick: boolean;
  agents?: number;
  bindings?: number;
  /** Scenario-specific: clusters for fleet-status, objects per binding, samples, … */
  clusters?: number;
  objects?: number;
  samples?: number;
}

export const pick = (given: number | undefined, quick: boolean, small: number, full: number) =>
  given ?? (quick ? small : full);
