import { parseArgs } from 'node:util';
import { parseApplyLatency, type BenchOptions } from './options.js';
import { agentFootprint } from './scenarios/agent-footprint.js';
import { coldStart } from './scenarios/cold-start.js';
import { fleetStatus } from './scenarios/fleet-status.js';
import { noopCost } from './scenarios/noop-cost.js';
import { propagation } from './scenarios/propagation.js';
import { reconnectStorm } from './scenarios/reconnect-storm.js';
import { scheduler } from './scenarios/scheduler.js';
import { statusIngest } from './scenarios/status-ingest.js';

/**
 * `npm run bench [-- <scenario>] [--quick] [--agents N] [--bindings B] …`: runs one scenario,
 * or all of them, printing a table each and writing JSON to test/bench/results/.
 * Measurements only: nothing here passes or fails on a threshold.
 */
const scenarios: Record<string, (options: BenchOptions) => Promise<void>> = {
  'noop-cost': noopCost,
  'fleet-status': fleetStatus,
  'agent-footprint': agentFootprint,
  propagation,
  scheduler,
  'cold-start': coldStart,
  'reconnect-storm': reconnectStorm,
  'status-ingest': statusIngest,
};

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      agents: { type: 'string' },
      bindings: { type: 'string' },
      clusters: { type: 'string' },
      objects: { type: 'string' },
      samples: { type: 'string' },
      'apply-latency': { type: 'string' },
      interval: { type: 'string' },
    },
  });
  const number = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  const options: BenchOptions = {
    quick: values.quick,
    agents: number('agents', values.agents),
    bindings: number('bindings', values.bindings),
    clusters: number('clusters', values.clusters),
    objects: number('objects', values.objects),
    samples: number('samples', values.samples),
    applyLatency: parseApplyLatency(values['apply-latency']),
    interval: number('interval', values.interval),
  };
  const chosen = positionals.length ? positionals : Object.keys(scenarios);
  for (const name of chosen) {
    const run = scenarios[name];
    if (!run) throw new Error(`unknown scenario ${name}; one of: ${Object.keys(scenarios).join(', ')}`);
    await run(options);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
