import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { readBodyFile } from '../args/from-file.js';
import { collect } from '../args/values.js';
import { CliError, usageError } from '../errors.js';
import { del, get, inTenant, post } from '../http/request.js';
import { readSecret } from '../io/prompt.js';
import type { Column } from '../output/table.js';
import { examples, tenantOption } from './help.js';
import { withSession } from './session.js';

interface Repository {
  name: string;
  url: string;
  hasCredentials: boolean;
  pollInterval: string;
  verification: { trustedKeys: string[] } | null;
  lastFetchedAt: string | null;
  lastError: string | null;
}

export interface RepoFlags {
  url?: string;
  username?: string;
  passwordStdin?: boolean;
  tokenStdin?: boolean;
  pollInterval?: string;
  trustedKey?: string[];
  fromFile?: string;
}

const columns: Column<Repository>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'url', value: (r) => r.url },
  { header: 'credentials', value: (r) => (r.hasCredentials ? 'yes' : 'no') },
  { header: 'poll', value: (r) => r.pollInterval },
  { header: 'signed', value: (r) => (r.verification ? 'required' : 'no') },
  { header: 'last fetched', value: (r) => r.lastFetchedAt },
  { header: 'last error', value: (r) => r.lastError },
];

type Credentials = { username: string; password: string } | { token: string } | null;

/** The request body; secrets come in already read (never from argv, which shells keep in history). */
export function repoBody(
  name: string,
  file: Record<string, unknown>,
  flags: RepoFlags,
  credentials: Credentials,
  trustedKeys: string[],
) {
  const body: Record<string, unknown> = { pollInterval: '60s', verification: null, ...file, name };
  if (flags.url !== undefined) body.url = flags.url;
  if (!body.url) throw usageError('give --url (or a --from-file with url)');
  if (credentials) body.credentials = credentials;
  if (flags.pollInterval !== undefined) body.pollInterval = flags.pollInterval;
  if (trustedKeys.length) body.verification = { trustedKeys };
  return body;
}

async function credentialsOf(flags: RepoFlags): Promise<Credentials> {
  if (flags.tokenStdin && (flags.username || flags.passwordStdin))
    throw usageError('choose --token-stdin or --username/--password-stdin');
  if (flags.tokenStdin)
    return { token: await readSecret('Git token', { fromStdin: true, flag: '--token-stdin' }) };
  if (flags.passwordStdin && !flags.username) throw usageError('--password-stdin needs --username');
  if (!flags.username) return null;
  return {
    username: flags.username,
    password: await readSecret('Git password', {
      fromStdin: Boolean(flags.passwordStdin),
      flag: '--password-stdin',
    }),
  };
}

async function readKeys(paths: string[] = []): Promise<string[]> {
  return Promise.all(
    paths.map((path) =>
      readFile(path, 'utf8').catch((error: Error) => {
        throw new CliError(`cannot read key ${path}: ${error.message}`);
      }),
    ),
  );
}

export const repoRequests = {
  list: (tenant: string) => get(inTenant(tenant, 'repositories')),
  get: (tenant: string, name: string) => get(inTenant(tenant, 'repositories', name)),
  create: (tenant: string, body: Record<string, unknown>) => post(inTenant(tenant, 'repositories'), body),
  delete: (tenant: string, name: string) => del(inTenant(tenant, 'repositories', name)),
  refresh: (tenant: string, name: string) => post(inTenant(tenant, 'repositories', name, 'refresh')),
};

export function registerRepo(program: Command): void {
  const repo = examples(
    program.command('repo').description('a tenant’s Git repositories'),
    'flotilla repo list -t team-a',
  );

  examples(
    tenantOption(repo.command('list').alias('ls').description('list repositories')).action(
      withSession(async (s, flags: { tenant?: string }) =>
        s.printer.list(await s.client().all<Repository>(repoRequests.list(s.tenant(flags.tenant))), columns),
      ),
    ),
    'flotilla repo list -t team-a',
  );

  examples(
    tenantOption(
      repo.command('get').argument('<name>').description('show one repository (never its credentials)'),
    ).action(
      withSession(async (s, name: string, flags: { tenant?: string }) =>
        s.printer.one(
          await s.client().send<Repository>(repoRequests.get(s.tenant(flags.tenant), name)),
          columns,
        ),
      ),
    ),
    'flotilla repo get apps -t team-a -o yaml',
  );

  examples(
    tenantOption(
      repo
        .command('create')
        .argument('<name>')
        .description('add an HTTPS Git repository')
        .option('--url <url>', 'HTTPS clone URL')
        .option('--username <name>', 'Git user (password from --password-stdin or asked for)')
        .option('--password-stdin', 'read the Git password from stdin')
        .option('--token-stdin', 'read a Git access token from stdin')
        .option('--poll-interval <interval>', 'like 30s, 5m or 1h', undefined)
        .option(
          '--trusted-key <file>',
          'armored OpenPGP public key; commits must be signed by one (repeatable)',
          collect,
        )
        .option('-f, --from-file <file>', 'repository as YAML or JSON (- for stdin)'),
    ).action(
      withSession(async (s, name: string, flags: RepoFlags & { tenant?: string }) => {
        const file = flags.fromFile ? await readBodyFile(flags.fromFile) : {};
        const body = repoBody(
          name,
          file,
          flags,
          await credentialsOf(flags),
          await readKeys(flags.trustedKey),
        );
        await s.printer.one(
          await s.client().send<Repository>(repoRequests.create(s.tenant(flags.tenant), body)),
          columns,
        );
      }),
    ),
    'flotilla repo create apps -t team-a --url https://git.example.com/team-a/apps.git',
    'printf "%s" "$GIT_TOKEN" | flotilla repo create apps -t team-a --url https://github.com/org/apps.git --token-stdin',
  );

  for (const [verb, description, done] of [
    ['delete', 'remove a repository', 'deleted'],
    ['refresh', 'fetch now instead of waiting for the next poll', 'refresh requested'],
  ] as const) {
    examples(
      tenantOption(repo.command(verb).argument('<name>').description(description)).action(
        withSession(async (s, name: string, flags: { tenant?: string }) => {
          const answer = await s.client().send(repoRequests[verb](s.tenant(flags.tenant), name));
          if (answer !== undefined && s.printer.format !== 'table') return s.printer.data(answer);
          s.printer.note(`Repository ${name} ${done}.`);
        }),
      ),
      `flotilla repo ${verb} apps -t team-a`,
    );
  }
}
