import type { Command } from 'commander';
import { parsePositiveInt, parseSince } from '../args/values.js';
import { CliError } from '../errors.js';
import { api, get } from '../http/request.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actor: { kind: string; name: string };
  tenant: string | null;
  target: string | null;
  outcome: string;
}

interface Verification {
  ok: boolean;
  checked: number;
  broken: { id: string; reason: string } | null;
}

export interface AuditFlags {
  tenant?: string;
  actor?: string;
  action?: string;
  outcome?: string;
  since?: string;
  until?: string;
  limit: string;
  verify?: boolean;
}

const columns: Column<AuditEvent>[] = [
  { header: 'time', value: (e) => e.at },
  { header: 'actor', value: (e) => `${e.actor.kind}:${e.actor.name}` },
  { header: 'action', value: (e) => e.action },
  { header: 'tenant', value: (e) => e.tenant },
  { header: 'target', value: (e) => e.target },
  { header: 'outcome', value: (e) => e.outcome, state: true },
];

export const auditRequests = {
  list: (flags: AuditFlags, now = Date.now()) =>
    get(api`/audit`, {
      tenant: flags.tenant,
      actor: flags.actor,
      action: flags.action,
      outcome: flags.outcome,
      since: flags.since && parseSince(flags.since, now),
      until: flags.until && parseSince(flags.until, now),
      limit: parsePositiveInt(flags.limit),
    }),
  verify: () => get(api`/audit/verify`),
};

export function registerAudit(program: Command): void {
  examples(
    program
      .command('audit')
      .description('the audit log, newest first (one page of --limit events)')
      .option('-t, --tenant <slug>', 'events of this tenant')
      .option('--actor <actor>', 'name, or kind:name (user:alice, token:ci)')
      .option('--action <action>', 'like tenants:create')
      .option('--outcome <outcome>', 'success, denied or failure')
      .option('--since <when>', 'duration ago (1h) or timestamp')
      .option('--until <when>', 'duration ago (10m) or timestamp')
      .option('--limit <n>', 'at most this many events', '50')
      .option('--verify', 'check the hash chain instead of listing (exit 1 when broken)')
      .action(
        withSession(async (s, flags: AuditFlags) => {
          if (!flags.verify) {
            const page = await s.client().send<{ items: AuditEvent[] }>(auditRequests.list(flags));
            return s.printer.list(page.items, columns);
          }
          const result = await s.client().send<Verification>(auditRequests.verify());
          await s.printer.value(result, () =>
            result.ok
              ? `Audit chain intact: ${result.checked} events checked.`
              : `Audit chain BROKEN after ${result.checked} good events at ${result.broken?.id}: ${result.broken?.reason}`,
          );
          if (!result.ok) throw new CliError('the audit chain does not verify');
        }),
      ),
    'flotilla audit --tenant team-a --since 24h',
    'flotilla audit --actor user:alice --outcome denied',
    'flotilla audit --verify',
  );
}
