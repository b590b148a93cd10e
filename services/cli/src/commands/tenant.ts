import type { Command } from 'commander';
import { readBodyFile } from '../args/from-file.js';
import { parseLabels } from '../args/labels.js';
import { usageError } from '../errors.js';
import { api, del, get, patch, post } from '../http/request.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface Tenant {
  slug: string;
  displayName: string;
  quotas: Record<string, number>;
  createdAt: string;
}

interface TenantFlags {
  displayName?: string;
  quota?: string;
  fromFile?: string;
}

const quotaText = (quotas: Record<string, number>) =>
  Object.entries(quotas ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

const columns: Column<Tenant>[] = [
  { header: 'slug', value: (t) => t.slug },
  { header: 'display name', value: (t) => t.displayName },
  { header: 'quotas', value: (t) => quotaText(t.quotas) },
  { header: 'created', value: (t) => t.createdAt },
];

/** `clusters=5,bindings=20` → { clusters: 5, bindings: 20 }. */
export function parseQuotas(input: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(parseLabels(input)).map(([key, value]) => {
      if (!/^\d+$/.test(value)) throw usageError(`quota ${key} must be a whole number, not "${value}"`);
      return [key, Number(value)];
    }),
  );
}

/** Flags win over the file, so a file can be a template. */
async function tenantBody(flags: TenantFlags): Promise<Record<string, unknown>> {
  const body = flags.fromFile ? await readBodyFile(flags.fromFile) : {};
  if (flags.displayName !== undefined) body.displayName = flags.displayName;
  if (flags.quota !== undefined) body.quotas = parseQuotas(flags.quota);
  return body;
}

export const tenantRequests = {
  list: () => get(api`/tenants`),
  get: (slug: string) => get(api`/tenants/${slug}`),
  create: (slug: string, body: Record<string, unknown>) =>
    post(api`/tenants`, { displayName: slug, ...body, slug }),
  update: (slug: string, body: Record<string, unknown>) => {
    if (Object.keys(body).length === 0)
      throw usageError('nothing to change: give --display-name, --quota or --from-file');
    return patch(api`/tenants/${slug}`, body);
  },
  delete: (slug: string, force: boolean) => del(api`/tenants/${slug}`, { force: force || undefined }),
};

const bodyOptions = (command: Command) =>
  command
    .option('--display-name <name>', 'human-readable name')
    .option('--quota <limits>', 'limits like clusters=5,repositories=10,bindings=20')
    .option('-f, --from-file <file>', 'request body as YAML or JSON (- for stdin)');

export function registerTenant(program: Command): void {
  const tenant = examples(
    program.command('tenant').description('onboard and manage tenants (teams)'),
    'flotilla tenant list',
  );

  examples(
    tenant
      .command('list')
      .alias('ls')
      .description('list the tenants you can see')
      .action(
        withSession(async (s) =>
          s.printer.list(await s.client().all<Tenant>(tenantRequests.list()), columns),
        ),
      ),
    'flotilla tenant list -o yaml',
  );

  examples(
    tenant
      .command('get')
      .argument('<slug>')
      .description('show one tenant')
      .action(
        withSession(async (s, slug: string) =>
          s.printer.one(await s.client().send<Tenant>(tenantRequests.get(slug)), columns),
        ),
      ),
    'flotilla tenant get team-a',
  );

  examples(
    bodyOptions(tenant.command('create').argument('<slug>').description('onboard a tenant')).action(
      withSession(async (s, slug: string, flags: TenantFlags) =>
        s.printer.one(
          await s.client().send<Tenant>(tenantRequests.create(slug, await tenantBody(flags))),
          columns,
        ),
      ),
    ),
    'flotilla tenant create team-a --display-name "Team A" --quota clusters=5,bindings=20',
  );

  examples(
    bodyOptions(
      tenant.command('update').argument('<slug>').description('change display name or quotas'),
    ).action(
      withSession(async (s, slug: string, flags: TenantFlags) =>
        s.printer.one(
          await s.client().send<Tenant>(tenantRequests.update(slug, await tenantBody(flags))),
          columns,
        ),
      ),
    ),
    'flotilla tenant update team-a --quota clusters=10',
  );

  examples(
    tenant
      .command('delete')
      .argument('<slug>')
      .description('offboard a tenant; refused while it owns things unless --force')
      .option('--force', 'also delete everything the tenant owns')
      .action(
        withSession(async (s, slug: string, flags: { force?: boolean }) => {
          await s.client().send(tenantRequests.delete(slug, Boolean(flags.force)));
          s.printer.note(`Tenant ${slug} deleted.`);
        }),
      ),
    'flotilla tenant delete team-a --force',
  );
}
