import { bindingRequests } from '../../cli/src/commands/binding.js';
import type { HubClient } from '../../cli/src/http/client.js';
import { Spinner } from '../../cli/src/output/spinner.js';
import { DemoError } from './errors.js';
import type { SimulatedCluster } from './fleet.js';
import { TENANT } from './onboard.js';

/** One targeted cluster of a binding, as `GET …/bindings/{name}` shows it. */
interface BindingCluster {
  name: string;
  revision: number | null;
  commit: string | null;
  syncState: string | null;
  health: string | null;
  lastError: { reason: string; message: string } | null;
}

/** One binding on one cluster. */
export interface FleetRow extends BindingCluster {
  binding: string;
}

const settled = (row: FleetRow) => row.syncState === 'Synced' && row.health === 'Healthy';

/** Every binding × targeted cluster, read from the bindings' status (what `flotilla binding get` shows). */
async function readFleet(client: HubClient, bindings: string[]): Promise<FleetRow[]> {
  const rows: FleetRow[] = [];
  for (const binding of bindings) {
    const view = await client.send<{ clusters?: BindingCluster[] }>(bindingRequests.get(TENANT, binding));
    rows.push(...(view.clusters ?? []).map((cluster) => ({ ...cluster, binding })));
  }
  return rows;
}

/** What is not there yet: agents not connected, then rows not Synced/Healthy. */
function pending(rows: FleetRow[], clusters: SimulatedCluster[], bindings: string[]): string[] {
  const agents = clusters
    .filter((c) => c.agent.state !== 'connected')
    .map((c) => `${c.name}: agent ${c.agent.state}`);
  const unplaced = bindings
    .filter((binding) => !rows.some((row) => row.binding === binding))
    .map((binding) => `${binding}: no cluster targeted`);
  const unsettled = rows
    .filter((row) => !settled(row))
    .map(
      (row) =>
        `${row.binding} on ${row.name}: ${row.syncState ?? 'no report'}/${row.health ?? 'unknown'}` +
        (row.lastError ? ` (${row.lastError.reason}: ${row.lastError.message})` : ''),
    );
  return [...agents, ...unplaced, ...unsettled];
}

/**
 * Waits with a progress line until every binding is Synced and Healthy on every cluster it
 * targets; on timeout the error names each thing still stuck.
 */
export async function waitUntilSettled(
  client: HubClient,
  fleet: SimulatedCluster[],
  bindings: string[],
  timeoutMs: number,
): Promise<FleetRow[]> {
  const spinner = new Spinner();
  const started = Date.now();
  try {
    for (;;) {
      const rows = await readFleet(client, bindings);
      const stuck = pending(rows, fleet, bindings);
      if (stuck.length === 0) return rows;
      const elapsed = Math.round((Date.now() - started) / 1000);
      if (Date.now() - started > timeoutMs) {
        throw new DemoError(
          `not all Synced/Healthy after ${elapsed}s; still waiting for:\n  ${stuck.join('\n  ')}\n` +
            'See the agent and hub messages above, or `npx flotilla binding get <name> -t team-a`.',
        );
      }
      const done = rows.filter(settled).length;
      // No clock in the message: off a terminal the spinner prints a line per change.
      spinner.update(`${done}/${rows.length} deployments Synced/Healthy — waiting for ${stuck[0]}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    spinner.stop();
  }
}
