import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { loginRequest } from '../../cli/src/commands/auth.js';
import { CliError } from '../../cli/src/errors.js';
import { HubClient } from '../../cli/src/http/client.js';
import { freePort } from '@flotilla/testing';
import { writeAgentEnv } from './agent-env.js';
import { writeCliContext } from './cli-context.js';
import { DemoError } from './errors.js';
import { startFleet } from './fleet.js';
import { startHub } from './hub.js';
import { onboardTenant } from './onboard.js';
import { provideDatabase } from './postgres.js';
import { waitUntilSettled } from './progress.js';
import { startSampleRepo } from './sample-app.js';
import { summary } from './summary.js';
import { Teardown } from './teardown.js';

interface DemoOptions {
  port: number;
  natsPort?: number;
  database: string;
  timeout: number;
  keepRunning: boolean;
  exitWhenSynced: boolean;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535)
    throw new InvalidArgumentError('must be a number from 1 to 65535');
  return n;
}

const options = new Command()
  .name('npm run demo --')
  .description('Flotilla in one command: hub, NATS, PostgreSQL, a Git server and three simulated clusters')
  .option('--port <port>', 'hub API port', integer, 8080)
  .option('--nats-port <port>', 'port of the hub-managed nats-server (default: a free one)', integer)
  .option('--database <name>', "the demo's own database, recreated at every start", 'flotilla_demo')
  .option('--timeout <seconds>', 'give up waiting for Synced/Healthy after this long', integer, 180)
  .option('--no-keep-running', 'stop everything after printing the summary')
  .option('--exit-when-synced', 'stop everything as soon as all are Synced and Healthy (tests)', false)
  .parse()
  .opts<DemoOptions>();

const out = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${line}\n`);
const teardown = new Teardown();
let stopping = false;

/** Stops what was started (newest first) and exits; a second Ctrl-C exits at once. */
async function shutdown(code: number): Promise<never> {
  if (stopping) process.exit(code || 130);
  stopping = true;
  out('Stopping the demo…');
  await teardown.run(warn);
  out('Stopped.');
  process.exit(code);
}

async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  out(`✓ ${what} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  return result;
}

async function demo(): Promise<void> {
  const started = Date.now();
  const dataDir = resolve(process.env.FLOTILLA_DATA_DIR || '.flotilla');
  // The hub's own state is as fresh as its database: keys and JetStream from an earlier run would not match.
  const hubDir = join(dataDir, 'demo');
  await rm(hubDir, { recursive: true, force: true });
  await mkdir(hubDir, { recursive: true });

  const db = await step('PostgreSQL', () =>
    provideDatabase({
      serverUrl: process.env.FLOTILLA_DATABASE_URL,
      name: options.database,
      dataDir,
      log: out,
    }),
  );
  teardown.add('PostgreSQL', db.stop);
  const sample = await step(
    'Git server with the sample app (kustomize base + dev, staging, prod)',
    startSampleRepo,
  );
  teardown.add('the Git server', () => sample.server.stop());

  const natsPort = options.natsPort ?? (await freePort());
  const adminPassword = process.env.FLOTILLA_ADMIN_PASSWORD || randomBytes(12).toString('base64url');
  const hub = await step('hub with managed NATS', () =>
    startHub({
      port: options.port,
      natsPort,
      databaseUrl: db.url,
      dataDir: hubDir,
      adminPassword,
      gitBaseUrl: sample.server.baseUrl,
    }),
  );
  teardown.add('the hub', hub.stop);
  const agentEnv = join(hubDir, 'agent.env');
  await writeAgentEnv(agentEnv, hub);
  const login = await new HubClient(hub.url).send<{ accessToken: string }>(
    loginRequest('admin', adminPassword),
  );
  const client = new HubClient(hub.url, login.accessToken);

  const logger = pino(
    { level: process.env.FLOTILLA_AGENT_LOG_LEVEL || 'warn', base: { service: 'flotilla-agent' } },
    pino.destination(2),
  );
  const fleet = await step('clusters dev-1, staging-1, prod-1 registered, agents started', () =>
    startFleet(client, { logger, bundlePublicKey: hub.bundlePublicKey, stateDir: join(hubDir, 'agents') }),
  );
  teardown.add('the agents and clusters', fleet.stop);
  const bindings = await step(
    'tenant team-a onboarded: grant, repository, bindings web-dev/-staging/-prod',
    () => onboardTenant(client, sample.repo.url),
  );
  const keepRunning = options.keepRunning && !options.exitWhenSynced;
  const rows = await waitUntilSettled(client, fleet.clusters, bindings, options.timeout * 1000);
  const configPath = await writeCliContext(client);
  out(
    summary({
      hubUrl: hub.url,
      natsUrl: hub.natsUrl,
      agentEnv,
      adminPassword,
      repoUrl: sample.repo.url,
      database: `${options.database} (${db.origin})`,
      configPath,
      rows,
      settledAfterMs: Date.now() - started,
      keepRunning,
    }),
  );
  if (!keepRunning) await shutdown(0);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0));

demo().catch(async (error: unknown) => {
  if (stopping) return;
  const expected = error instanceof DemoError || error instanceof CliError;
  warn(`flotilla demo: ${expected ? (error as Error).message : ((error as Error).stack ?? String(error))}`);
  await shutdown(1);
});
