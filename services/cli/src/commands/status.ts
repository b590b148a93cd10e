import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { api, get } from '../http/request.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

/** One cell of the binding × cluster matrix. */
interface FleetRow {
  tenant: string;
  binding: string;
  cluster: string;
  revision?: number | null;
  commit?: string | null;
  syncState?: string | null;
  health?: string | null;
  lastError?: string | null;
  updatedAt?: string | null;
}

export interface StatusFlags {
  tenant?: string;
  binding?: string;
  selector?: string;
  state?: string;
}

const states = ['Synced', 'OutOfSync', 'Failed', 'Healthy', 'Progressing', 'Degraded', 'Missing', 'Unknown'];

const columns: Column<FleetRow>[] = [
  { header: 'tenant', value: (r) => r.tenant },
  { header: 'binding', value: (r) => r.binding },
  { header: 'cluster', value: (r) => r.cluster },
  { header: 'revision', value: (r) => r.revision ?? r.commit?.slice(0, 12) },
  { header: 'sync', value: (r) => r.syncState, state: true },
  { header: 'health', value: (r) => r.health, state: true },
  { header: 'updated', value: (r) => r.updatedAt },
  { header: 'message', value: (r) => r.lastError },
];

export function statusRequest(flags: StatusFlags) {
  if (flags.state && !states.includes(flags.state))
    throw usageError(`--state must be one of ${states.join(', ')}`);
  return get(api`/fleet/status`, {
    tenant: flags.tenant,
    binding: flags.binding,
    labelSelector: flags.selector,
    state: flags.state,
  });
}

export function registerStatus(program: Command): void {
  examples(
    program
      .command('status')
      .description('fleet status: every binding on every cluster, with sync and health')
      .option('-t, --tenant <slug>', 'one tenant')
      .option('-b, --binding <name>', 'one binding')
      .option('-l, --selector <selector>', 'clusters matching this label selector')
      .option('--state <state>', `only rows in this state (${states.join(', ')})`)
      .action(
        withSession(async (s, flags: StatusFlags) =>
          s.printer.list(await s.client().all<FleetRow>(statusRequest(flags)), columns),
        ),
      ),
    'flotilla status',
    'flotilla status -t team-a --state OutOfSync',
    'flotilla status -l env=prod -o json',
  );
}
