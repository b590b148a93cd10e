import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { api, del, get, post } from '../http/request.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface RoleBinding {
  id: string;
  tenant: string | null;
  subject: { kind: string; name: string };
  role: string;
  createdBy: string;
  createdAt: string;
}

export interface SubjectFlags {
  user?: string;
  group?: string;
  token?: string;
}

const columns: Column<RoleBinding>[] = [
  { header: 'id', value: (b) => b.id },
  { header: 'tenant', value: (b) => b.tenant ?? '(platform)' },
  { header: 'subject', value: (b) => `${b.subject.kind}:${b.subject.name}` },
  { header: 'role', value: (b) => b.role },
  { header: 'created by', value: (b) => b.createdBy },
];

/** Exactly one of --user, --group, --token. */
export function subjectOf(flags: SubjectFlags): { kind: 'user' | 'group' | 'token'; name: string } {
  const given = (['user', 'group', 'token'] as const).filter((kind) => flags[kind] !== undefined);
  if (given.length !== 1)
    throw usageError('give exactly one subject: --user <name>, --group <name> or --token <name>');
  return { kind: given[0]!, name: flags[given[0]!]! };
}

/** With a tenant the binding lives in that tenant; without, at platform scope. */
const base = (tenant?: string) => (tenant ? api`/tenants/${tenant}/role-bindings` : api`/role-bindings`);

export const roleBindingRequests = {
  list: (tenant?: string) => get(base(tenant)),
  create: (role: string, subject: SubjectFlags, tenant?: string) =>
    post(base(tenant), { subject: subjectOf(subject), role }),
  delete: (id: string, tenant?: string) => del(`${base(tenant)}/${encodeURIComponent(id)}`),
};

const tenantFlag = (command: Command) =>
  command.option('-t, --tenant <slug>', 'tenant scope (default: platform scope)');

export function registerRoleBinding(program: Command): void {
  const rb = examples(
    program
      .command('rolebinding')
      .alias('rb')
      .description('who holds which role, platform-wide or in a tenant'),
    'flotilla rolebinding list --tenant team-a',
  );

  examples(
    tenantFlag(rb.command('list').alias('ls').description('list role bindings')).action(
      withSession(async (s, flags: { tenant?: string }) =>
        s.printer.list(await s.client().all<RoleBinding>(roleBindingRequests.list(flags.tenant)), columns),
      ),
    ),
    'flotilla rolebinding list',
  );

  examples(
    tenantFlag(
      rb
        .command('create')
        .description('bind a role to a user, group or token')
        .requiredOption('-r, --role <role>', 'role name, like tenant-viewer')
        .option('--user <name>')
        .option('--group <name>')
        .option('--token <name>', 'API token name'),
    ).action(
      withSession(async (s, flags: SubjectFlags & { role: string; tenant?: string }) =>
        s.printer.one(
          await s.client().send<RoleBinding>(roleBindingRequests.create(flags.role, flags, flags.tenant)),
          columns,
        ),
      ),
    ),
    'flotilla rolebinding create --tenant team-a --user alice --role tenant-admin',
    'flotilla rolebinding create --group platform-team --role platform-admin',
  );

  examples(
    tenantFlag(rb.command('delete').argument('<id>').description('remove a role binding')).action(
      withSession(async (s, id: string, flags: { tenant?: string }) => {
        await s.client().send(roleBindingRequests.delete(id, flags.tenant));
        s.printer.note(`Role binding ${id} deleted.`);
      }),
    ),
    'flotilla rolebinding delete 6f1c… --tenant team-a',
  );
}
