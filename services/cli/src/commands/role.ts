import type { Command } from 'commander';
import { parseList } from '../args/values.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { api, del, get, post } from '../http/request.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface Role {
  name: string;
  tenant: string | null;
  description: string | null;
  permissions: string[];
  builtin: boolean;
}

const columns: Column<Role>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'tenant', value: (r) => r.tenant },
  { header: 'builtin', value: (r) => r.builtin },
  { header: 'permissions', value: (r) => r.permissions.join(',') },
];

export const roleRequests = {
  list: (tenant?: string) => get(api`/roles`, { tenant }),
  create: (name: string, flags: { permissions: string; description?: string; tenant?: string }) => {
    const permissions = parseList(flags.permissions);
    if (permissions.length === 0)
      throw usageError('give at least one permission, like --permissions bindings:read,bindings:sync');
    return post(api`/roles`, { name, permissions, description: flags.description, tenant: flags.tenant });
  },
  delete: (name: string, tenant?: string) => del(api`/roles/${name}`, { tenant }),
};

/** Roles are platform-scoped unless --tenant is given, so no default tenant applies here. */
const tenantFlag = (command: Command) =>
  command.option('-t, --tenant <slug>', 'tenant roles only / role in this tenant');

export function registerRole(program: Command): void {
  const role = examples(
    program.command('role').description('built-in and custom roles'),
    'flotilla role list',
  );

  examples(
    tenantFlag(role.command('list').alias('ls').description('list roles you can see')).action(
      withSession(async (s, flags: { tenant?: string }) =>
        s.printer.list(await s.client().all<Role>(roleRequests.list(flags.tenant)), columns),
      ),
    ),
    'flotilla role list --tenant team-a',
  );

  examples(
    tenantFlag(
      role.command('get').argument('<name>').description('show one role and its permissions'),
    ).action(
      withSession(async (s, name: string, flags: { tenant?: string }) => {
        // The API has no single-role read; the list is short (built-ins plus custom roles).
        const found = (await s.client().all<Role>(roleRequests.list(flags.tenant))).find(
          (r) => r.name === name,
        );
        if (!found) throw new CliError(`role ${name} not found`, ExitCode.notFound);
        await s.printer.value(found, () =>
          [
            `Name:        ${found.name}`,
            `Tenant:      ${found.tenant ?? '(platform)'}`,
            `Builtin:     ${found.builtin}`,
            `Description: ${found.description ?? ''}`,
            'Permissions:',
            ...found.permissions.map((p) => `  ${p}`),
          ].join('\n'),
        );
      }),
    ),
    'flotilla role get tenant-operator',
  );

  examples(
    tenantFlag(
      role
        .command('create')
        .argument('<name>')
        .description('create a custom role from permissions you hold')
        .requiredOption('--permissions <list>', 'comma-separated, like bindings:read,bindings:sync')
        .option('--description <text>'),
    ).action(
      withSession(
        async (s, name: string, flags: { permissions: string; description?: string; tenant?: string }) =>
          s.printer.one(await s.client().send<Role>(roleRequests.create(name, flags)), columns),
      ),
    ),
    'flotilla role create deployer --tenant team-a --permissions bindings:read,bindings:sync',
  );

  examples(
    tenantFlag(role.command('delete').argument('<name>').description('delete a custom role')).action(
      withSession(async (s, name: string, flags: { tenant?: string }) => {
        await s.client().send(roleRequests.delete(name, flags.tenant));
        s.printer.note(`Role ${name} deleted.`);
      }),
    ),
    'flotilla role delete deployer --tenant team-a',
  );
}
