import type { Command } from 'commander';
import { readBodyFile } from '../args/from-file.js';
import { formatLabels, parseLabels } from '../args/labels.js';
import { collect, parseList } from '../args/values.js';
import { usageError } from '../errors.js';
import { del, get, inTenant, post } from '../http/request.js';
import type { Column } from '../output/table.js';
import { examples, tenantOption } from './help.js';
import { withSession } from './session.js';

interface Grant {
  name: string;
  clusterSelector: { matchLabels?: Record<string, string> };
  namespaces: string[];
  clusterScopedKinds: (string | { group: string; kind: string })[];
  rules: { expression: string; message: string }[];
}

export interface GrantFlags {
  selector?: string;
  namespaces?: string;
  clusterScopedKinds?: string;
  rule?: string[];
  fromFile?: string;
}

const columns: Column<Grant>[] = [
  { header: 'name', value: (g) => g.name },
  { header: 'cluster selector', value: (g) => formatLabels(g.clusterSelector?.matchLabels) || '(all)' },
  { header: 'namespaces', value: (g) => g.namespaces.join(',') },
  {
    header: 'cluster-scoped kinds',
    value: (g) =>
      g.clusterScopedKinds.map((k) => (typeof k === 'string' ? k : `${k.group}/${k.kind}`)).join(','),
  },
  { header: 'rules', value: (g) => g.rules.length },
];

/** Flags over --from-file; a rule from the command line gets a message naming its expression. */
export function grantBody(
  name: string,
  file: Record<string, unknown>,
  flags: GrantFlags,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    clusterSelector: { matchLabels: {} },
    namespaces: [],
    clusterScopedKinds: [],
    rules: [],
    ...file,
    name,
  };
  if (flags.selector !== undefined) body.clusterSelector = { matchLabels: parseLabels(flags.selector) };
  if (flags.namespaces !== undefined) body.namespaces = parseList(flags.namespaces);
  if (flags.clusterScopedKinds !== undefined) body.clusterScopedKinds = parseList(flags.clusterScopedKinds);
  if (flags.rule?.length)
    body.rules = flags.rule.map((expression) => ({ expression, message: `must satisfy: ${expression}` }));
  if (!flags.fromFile && flags.namespaces === undefined)
    throw usageError('give --namespaces (or a --from-file)');
  return body;
}

export const grantRequests = {
  list: (tenant: string) => get(inTenant(tenant, 'grants')),
  create: (tenant: string, body: Record<string, unknown>) => post(inTenant(tenant, 'grants'), body),
  delete: (tenant: string, name: string) => del(inTenant(tenant, 'grants', name)),
};

export function registerGrant(program: Command): void {
  const grant = examples(
    program.command('grant').description('what a tenant may deploy where (platform admins)'),
    'flotilla grant list --tenant team-a',
  );

  examples(
    tenantOption(grant.command('list').alias('ls').description('list a tenant’s grants')).action(
      withSession(async (s, flags: { tenant?: string }) =>
        s.printer.list(await s.client().all<Grant>(grantRequests.list(s.tenant(flags.tenant))), columns),
      ),
    ),
    'flotilla grant list -t team-a',
  );

  examples(
    tenantOption(
      grant
        .command('create')
        .argument('<name>')
        .description('allow a tenant to deploy into namespaces of matching clusters')
        .option('--selector <labels>', 'clusters with these labels, like env=prod (default: all)')
        .option('--namespaces <patterns>', 'namespace patterns, like team-a-*,shared')
        .option(
          '--cluster-scoped-kinds <kinds>',
          'allowed cluster-scoped kinds, like Namespace,rbac.authorization.k8s.io/ClusterRole',
        )
        .option('--rule <cel>', 'CEL rule every object must satisfy (repeatable)', collect)
        .option('-f, --from-file <file>', 'grant as YAML or JSON (- for stdin)'),
    ).action(
      withSession(async (s, name: string, flags: GrantFlags & { tenant?: string }) => {
        const file = flags.fromFile ? await readBodyFile(flags.fromFile) : {};
        const created = await s
          .client()
          .send<Grant>(grantRequests.create(s.tenant(flags.tenant), grantBody(name, file, flags)));
        await s.printer.one(created, columns);
      }),
    ),
    'flotilla grant create prod -t team-a --selector env=prod --namespaces "team-a-*"',
    `flotilla grant create limits -t team-a --namespaces team-a --rule 'object.kind != "Service" || object.spec.type != "LoadBalancer"'`,
  );

  examples(
    tenantOption(grant.command('delete').argument('<name>').description('remove a grant')).action(
      withSession(async (s, name: string, flags: { tenant?: string }) => {
        await s.client().send(grantRequests.delete(s.tenant(flags.tenant), name));
        s.printer.note(`Grant ${name} deleted.`);
      }),
    ),
    'flotilla grant delete prod -t team-a',
  );
}
