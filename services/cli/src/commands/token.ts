import type { Command } from 'commander';
import { CliError, ExitCode } from '../errors.js';
import type { HubClient } from '../http/client.js';
import { api, del, get, post } from '../http/request.js';
import { paint } from '../output/colour.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface Token {
  id: string;
  name: string;
  tenant: string | null;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const columns: Column<Token>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'name', value: (t) => t.name },
  { header: 'tenant', value: (t) => t.tenant },
  { header: 'created by', value: (t) => t.createdBy },
  { header: 'expires', value: (t) => t.expiresAt ?? 'never' },
  { header: 'last used', value: (t) => t.lastUsedAt },
  { header: 'status', value: (t) => (t.revokedAt ? 'Revoked' : 'Active'), state: true },
];

export const tokenRequests = {
  list: (tenant?: string) => get(api`/tokens`, { tenant }),
  create: (name: string, flags: { tenant?: string; role?: string; expiresIn?: string }) =>
    post(api`/tokens`, { name, tenant: flags.tenant, role: flags.role, expiresIn: flags.expiresIn }),
  revoke: (id: string) => del(api`/tokens/${id}`),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tokens are revoked by id; a name is accepted when exactly one live token carries it. */
async function tokenId(client: HubClient, nameOrId: string): Promise<string> {
  if (UUID.test(nameOrId)) return nameOrId;
  const live = (await client.all<Token>(tokenRequests.list())).filter(
    (t) => t.name === nameOrId && !t.revokedAt,
  );
  if (live.length === 1) return live[0]!.id;
  if (live.length === 0) throw new CliError(`no live token named ${nameOrId}`, ExitCode.notFound);
  throw new CliError(
    `${live.length} live tokens are named ${nameOrId}: revoke by id (see \`flotilla token list\`)`,
  );
}

export function registerToken(program: Command): void {
  const token = examples(
    program.command('token').description('API tokens for automation'),
    'flotilla token list',
  );

  examples(
    token
      .command('list')
      .alias('ls')
      .description('list API tokens (never their secrets)')
      .option('-t, --tenant <slug>', 'only tokens of this tenant')
      .action(
        withSession(async (s, flags: { tenant?: string }) =>
          s.printer.list(await s.client().all<Token>(tokenRequests.list(flags.tenant)), columns),
        ),
      ),
    'flotilla token list --tenant team-a',
  );

  examples(
    token
      .command('create')
      .argument('<name>')
      .description('create a token; its secret is printed this once and never again')
      .option('-t, --tenant <slug>', 'confine the token to this tenant')
      .option('-r, --role <role>', 'bind this role to the token at once')
      .option('--expires-in <duration>', 'like 90m, 12h or 30d (default: no expiry)')
      .action(
        withSession(
          async (s, name: string, flags: { tenant?: string; role?: string; expiresIn?: string }) => {
            const created = await s
              .client()
              .send<Token & { secret: string }>(tokenRequests.create(name, flags));
            if (s.printer.format !== 'table') return s.printer.data(created);
            await s.printer.one(created, columns);
            process.stderr.write(
              paint('yellow', 'Secret (shown only now — store it safely):\n', process.stderr),
            );
            // The secret alone on stdout, so `| tail -1` or `$(…)` capture exactly it.
            s.printer.line(created.secret);
          },
        ),
      ),
    'flotilla token create ci --tenant team-a --role tenant-operator --expires-in 30d',
  );

  examples(
    token
      .command('revoke')
      .argument('<id-or-name>')
      .description('revoke a token at once')
      .action(
        withSession(async (s, nameOrId: string) => {
          const client = s.client();
          const id = await tokenId(client, nameOrId);
          await client.send(tokenRequests.revoke(id));
          s.printer.note(`Token ${nameOrId} revoked.`);
        }),
      ),
    'flotilla token revoke ci',
  );
}
