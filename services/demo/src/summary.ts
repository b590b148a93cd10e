import type { Column } from '../../cli/src/output/table.js';
import { renderTable } from '../../cli/src/output/table.js';
import { CONTEXT } from './cli-context.js';
import { bindingName, TENANT } from './onboard.js';
import type { FleetRow } from './progress.js';

export interface SummaryFacts {
  hubUrl: string;
  natsUrl: string;
  /** Settings for an agent run by hand against a real cluster. */
  agentEnv: string;
  adminPassword: string;
  repoUrl: string;
  database: string;
  configPath: string;
  rows: FleetRow[];
  settledAfterMs: number;
  /** Whether the demo stays up after this (else it stops right away). */
  keepRunning: boolean;
}

const columns: Column<FleetRow>[] = [
  { header: 'binding', value: (r) => r.binding },
  { header: 'cluster', value: (r) => r.name },
  { header: 'revision', value: (r) => r.revision },
  { header: 'commit', value: (r) => r.commit?.slice(0, 12) },
  { header: 'sync', value: (r) => r.syncState, state: true },
  { header: 'health', value: (r) => r.health, state: true },
];

/** The fleet table, where everything is, how to log in, and a change to try. */
export function summary(facts: SummaryFacts): string {
  const prod = bindingName('prod');
  return `
All ${facts.rows.length} deployments Synced and Healthy after ${(facts.settledAfterMs / 1000).toFixed(1)}s.

${renderTable(columns, facts.rows, process.stdout)}

Hub API:      ${facts.hubUrl}/api/v1
Swagger UI:   ${facts.hubUrl}/docs
NATS:         ${facts.natsUrl}   (agents dial this; settings for your own agent: ${facts.agentEnv})
Database:     ${facts.database}
Admin login:  admin / ${facts.adminPassword}
CLI:          context "${CONTEXT}" is current (${facts.configPath}); from another terminal:
                npx flotilla status

Try a change — commit, watch it roll out, roll it back:
  git clone ${facts.repoUrl} flotilla-demo-app && cd flotilla-demo-app
  sed -i.bak 's/replicas: 3/replicas: 5/' overlays/prod/replicas.yaml && rm overlays/prod/replicas.yaml.bak
  git commit -qam "Scale prod to 5" && git push -q
  npx flotilla status -t ${TENANT}                  # the hub polls every 10s (or: npx flotilla repo refresh demo-app)
  npx flotilla binding history ${prod}
  npx flotilla binding rollback ${prod} 1 --wait    # pins revision 1 (see docs/demo.md to unpin)
${facts.keepRunning ? '\nPress Ctrl-C to stop everything.\n' : ''}`;
}
