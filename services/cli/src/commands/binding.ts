import type { Command } from 'commander';
import { readBodyFile } from '../args/from-file.js';
import { formatLabels, parseLabels } from '../args/labels.js';
import { parseDuration } from '../args/values.js';
import { usageError } from '../errors.js';
import { del, get, inTenant, post } from '../http/request.js';
import { renderTable, type Column } from '../output/table.js';
import { examples, tenantOption } from './help.js';
import { withSession, type Session } from './session.js';
import { waitForSync, type ClusterSync } from './wait.js';

interface SyncPolicy {
  automated: boolean;
  prune: boolean;
  selfHeal: boolean;
}

interface Binding {
  name: string;
  repository: string;
  ref: string;
  path: string;
  clusterSelector: { matchLabels?: Record<string, string> };
  namespace: string;
  syncPolicy: SyncPolicy;
  suspended: boolean;
  pinned: { revision: number; commit: string } | null;
  revision?: string | null;
  status?: string | null;
  clusters?: ClusterSync[];
}

interface Revision {
  number: number;
  commit: string;
  status: string;
  bundleDigest: string | null;
  createdAt: string;
}

export interface BindingFlags {
  repo?: string;
  ref?: string;
  path?: string;
  selector?: string;
  namespace?: string;
  manual?: boolean;
  prune?: boolean;
  selfHeal?: boolean;
  fromFile?: string;
}

const policyText = (p: SyncPolicy) =>
  p.automated ? ['auto', p.prune && 'prune', p.selfHeal && 'self-heal'].filter(Boolean).join(',') : 'manual';

const columns: Column<Binding>[] = [
  { header: 'name', value: (b) => b.name },
  { header: 'repository', value: (b) => b.repository },
  { header: 'ref', value: (b) => (b.pinned ? `${b.ref} (pinned r${b.pinned.revision})` : b.ref) },
  { header: 'path', value: (b) => b.path || '/' },
  { header: 'selector', value: (b) => formatLabels(b.clusterSelector?.matchLabels) || '(all)' },
  { header: 'namespace', value: (b) => b.namespace },
  { header: 'policy', value: (b) => (b.suspended ? 'Suspended' : policyText(b.syncPolicy)), state: true },
];

const clusterColumns: Column<ClusterSync>[] = [
  { header: 'cluster', value: (c) => c.name },
  { header: 'revision', value: (c) => c.revision },
  { header: 'commit', value: (c) => c.commit?.slice(0, 12) },
  { header: 'sync', value: (c) => c.syncState, state: true },
  { header: 'health', value: (c) => c.health, state: true },
];

const revisionColumns: Column<Revision>[] = [
  { header: 'revision', value: (r) => r.number },
  { header: 'commit', value: (r) => r.commit.slice(0, 12) },
  { header: 'status', value: (r) => r.status, state: true },
  { header: 'bundle', value: (r) => r.bundleDigest?.slice(0, 19) },
  { header: 'created', value: (r) => r.createdAt },
];

/** Flags over --from-file. Negatable flags default to true, so only an explicit --no-x overrides the file. */
export function bindingBody(
  name: string,
  file: Record<string, unknown>,
  flags: BindingFlags,
): Record<string, unknown> {
  const body: Record<string, unknown> = { path: '', ...file, name };
  if (flags.repo !== undefined) body.repository = flags.repo;
  if (flags.ref !== undefined) body.ref = flags.ref;
  if (flags.path !== undefined) body.path = flags.path;
  if (flags.namespace !== undefined) body.namespace = flags.namespace;
  if (flags.selector !== undefined) body.clusterSelector = { matchLabels: parseLabels(flags.selector) };
  body.clusterSelector ??= { matchLabels: {} };
  body.ref ??= 'main';
  const policy: SyncPolicy = {
    automated: true,
    prune: true,
    selfHeal: true,
    ...(file.syncPolicy as Partial<SyncPolicy>),
  };
  if (flags.manual) policy.automated = false;
  if (flags.prune === false) policy.prune = false;
  if (flags.selfHeal === false) policy.selfHeal = false;
  body.syncPolicy = policy;
  const missing = ['repository', 'namespace'].filter((key) => !body[key]);
  if (missing.length)
    throw usageError(
      `give ${missing.map((k) => (k === 'repository' ? '--repo' : `--${k}`)).join(' and ')} (or a --from-file)`,
    );
  return body;
}

/** A revision number (`3`) goes as a number, anything else as a commit. */
export const revisionTarget = (input: string): number | string =>
  /^\d+$/.test(input) ? Number(input) : input;

const at = (tenant: string, name?: string, action?: string) => inTenant(tenant, 'bindings', name, action);
export const bindingRequests = {
  list: (tenant: string) => get(at(tenant)),
  get: (tenant: string, name: string) => get(at(tenant, name)),
  create: (tenant: string, body: Record<string, unknown>) => post(at(tenant), body),
  delete: (tenant: string, name: string) => del(at(tenant, name)),
  preview: (tenant: string, name: string) => post(at(tenant, name, 'preview')),
  history: (tenant: string, name: string) => get(at(tenant, name, 'history')),
  rollback: (tenant: string, name: string, revision: string) =>
    post(at(tenant, name, 'rollback'), { revision: revisionTarget(revision) }),
  sync: (tenant: string, name: string) => post(at(tenant, name, 'sync')),
  suspend: (tenant: string, name: string) => post(at(tenant, name, 'suspend')),
  resume: (tenant: string, name: string) => post(at(tenant, name, 'resume')),
  unpin: (tenant: string, name: string) => post(at(tenant, name, 'unpin')),
};

interface WaitFlags {
  tenant?: string;
  wait?: boolean;
  timeout: string;
}

const waitOptions = (command: Command) =>
  command
    .option('--wait', 'wait until every targeted cluster reports Synced')
    .option('--timeout <duration>', 'give up waiting after this long (exit 6)', '5m');

async function waitIfAsked(
  s: Session,
  tenant: string,
  name: string,
  flags: WaitFlags,
  target?: number | string,
) {
  if (!flags.wait) return;
  const client = s.client();
  await waitForSync(
    async () => (await client.send<Binding>(bindingRequests.get(tenant, name))).clusters ?? [],
    {
      target,
      timeoutMs: parseDuration(flags.timeout),
    },
  );
}

export function registerBinding(program: Command): void {
  const binding = examples(
    program
      .command('binding')
      .alias('app')
      .description('bind a repository path to clusters, and drive its rollout'),
    'flotilla binding list -t team-a',
  );

  examples(
    tenantOption(binding.command('list').alias('ls').description('list bindings')).action(
      withSession(async (s, flags: { tenant?: string }) =>
        s.printer.list(await s.client().all<Binding>(bindingRequests.list(s.tenant(flags.tenant))), columns),
      ),
    ),
    'flotilla binding list -t team-a',
  );

  examples(
    tenantOption(
      binding
        .command('get')
        .argument('<name>')
        .description('a binding with its latest revision, checks and clusters'),
    ).action(
      withSession(async (s, name: string, flags: { tenant?: string }) => {
        const found = await s.client().send<Binding>(bindingRequests.get(s.tenant(flags.tenant), name));
        await s.printer.value(found, () =>
          [
            renderTable(columns, [found], process.stdout),
            `\nRevision: ${found.revision ?? '-'} (${found.status ?? 'not fetched yet'})`,
            '',
            found.clusters?.length
              ? renderTable(clusterColumns, found.clusters, process.stdout)
              : 'No cluster matches the selector.',
          ].join('\n'),
        );
      }),
    ),
    'flotilla binding get web -t team-a',
  );

  examples(
    tenantOption(
      binding
        .command('create')
        .argument('<name>')
        .description('deploy a repository path to the clusters matching a selector')
        .option('--repo <repository>', 'repository name (see `flotilla repo list`)')
        .option('--ref <ref>', 'branch, tag or commit (default main)')
        .option('--path <path>', 'directory in the repository (default: its root)')
        .option('--selector <labels>', 'target clusters with these labels, like env=prod')
        .option('-n, --namespace <namespace>', 'target namespace for namespaced objects')
        .option('--manual', 'do not sync automatically; only on `binding sync`')
        .option('--no-prune', 'keep objects that were removed from Git')
        .option('--no-self-heal', 'report drift instead of reverting it')
        .option('-f, --from-file <file>', 'binding as YAML or JSON (- for stdin)'),
    ).action(
      withSession(async (s, name: string, flags: BindingFlags & { tenant?: string }) => {
        const file = flags.fromFile ? await readBodyFile(flags.fromFile) : {};
        const created = await s
          .client()
          .send<Binding>(bindingRequests.create(s.tenant(flags.tenant), bindingBody(name, file, flags)));
        await s.printer.one(created, columns);
      }),
    ),
    'flotilla binding create web -t team-a --repo apps --path web/overlays/prod --selector env=prod -n team-a-web',
  );

  examples(
    tenantOption(
      binding
        .command('delete')
        .argument('<name>')
        .description('delete a binding; its objects are pruned from the clusters'),
    ).action(
      withSession(async (s, name: string, flags: { tenant?: string }) => {
        await s.client().send(bindingRequests.delete(s.tenant(flags.tenant), name));
        s.printer.note(`Binding ${name} deleted.`);
      }),
    ),
    'flotilla binding delete web -t team-a',
  );

  examples(
    tenantOption(
      binding
        .command('preview')
        .argument('<name>')
        .description('render and check the ref as it is now, publishing nothing'),
    ).action(
      withSession(async (s, name: string, flags: { tenant?: string }) =>
        s.printer.data(await s.client().send(bindingRequests.preview(s.tenant(flags.tenant), name))),
      ),
    ),
    'flotilla binding preview web -t team-a',
  );

  examples(
    tenantOption(binding.command('history').argument('<name>').description('revisions, newest first')).action(
      withSession(async (s, name: string, flags: { tenant?: string }) =>
        s.printer.list(
          await s.client().all<Revision>(bindingRequests.history(s.tenant(flags.tenant), name)),
          revisionColumns,
        ),
      ),
    ),
    'flotilla binding history web -t team-a',
  );

  examples(
    waitOptions(
      tenantOption(
        binding
          .command('rollback')
          .argument('<name>')
          .argument('<revision>', 'revision number (see history) or commit')
          .description('pin the binding to an earlier revision'),
      ),
    ).action(
      withSession(async (s, name: string, revision: string, flags: WaitFlags) => {
        const tenant = s.tenant(flags.tenant);
        await s.client().send(bindingRequests.rollback(tenant, name, revision));
        s.printer.note(`Binding ${name} rolled back to ${revision}.`);
        await waitIfAsked(s, tenant, name, flags, revisionTarget(revision));
      }),
    ),
    'flotilla binding rollback web 3 -t team-a --wait',
  );

  examples(
    waitOptions(
      tenantOption(binding.command('sync').argument('<name>').description('fetch and roll out the ref now')),
    ).action(
      withSession(async (s, name: string, flags: WaitFlags) => {
        const tenant = s.tenant(flags.tenant);
        await s.client().send(bindingRequests.sync(tenant, name));
        s.printer.note(`Sync of ${name} requested.`);
        await waitIfAsked(s, tenant, name, flags);
      }),
    ),
    'flotilla binding sync web -t team-a --wait --timeout 10m',
  );

  for (const [verb, description, done] of [
    ['suspend', 'stop rolling out changes (clusters keep what they run)', 'suspended'],
    ['resume', 'roll out changes again', 'resumed'],
    ['unpin', 'end a rollback: follow the newest revision again', 'unpinned'],
  ] as const) {
    examples(
      tenantOption(binding.command(verb).argument('<name>').description(description)).action(
        withSession(async (s, name: string, flags: { tenant?: string }) => {
          await s.client().send(bindingRequests[verb](s.tenant(flags.tenant), name));
          s.printer.note(`Binding ${name} ${done}.`);
        }),
      ),
      `flotilla binding ${verb} web -t team-a`,
    );
  }
}
