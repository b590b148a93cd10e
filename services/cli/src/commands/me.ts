import type { Command } from 'commander';
import { api, get } from '../http/request.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface Me {
  kind: string;
  name: string;
  tenant?: string | null;
}

interface Permissions {
  platform: string[];
  tenants: { tenant: string; permissions: string[] }[];
}

const meColumns: Column<Me>[] = [
  { header: 'kind', value: (m) => m.kind },
  { header: 'name', value: (m) => m.name },
  { header: 'tenant', value: (m) => m.tenant },
];

const permissionColumns: Column<{ scope: string; permissions: string[] }>[] = [
  { header: 'scope', value: (p) => p.scope },
  { header: 'permissions', value: (p) => p.permissions.join(',') },
];

export function registerMe(program: Command): void {
  const me = examples(
    program
      .command('me')
      .description('who am I on the current hub')
      .action(withSession(async (s) => s.printer.one(await s.client().send<Me>(get(api`/me`)), meColumns))),
    'flotilla me',
    'flotilla me permissions',
  );

  examples(
    me
      .command('permissions')
      .description('what I may do, platform-wide and per tenant')
      .action(
        withSession(async (s) => {
          const answer = await s.client().send<Permissions>(get(api`/me/permissions`));
          if (s.printer.format !== 'table') return s.printer.data(answer);
          const rows = [
            { scope: '(platform)', permissions: answer.platform },
            ...answer.tenants.map((t) => ({ scope: t.tenant, permissions: t.permissions })),
          ].filter((row) => row.permissions.length > 0);
          await s.printer.list(rows, permissionColumns);
        }),
      ),
    'flotilla me permissions -o json',
  );
}
