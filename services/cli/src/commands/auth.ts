import type { Command } from 'commander';
import { openBrowser, ssoLogin } from '../auth/sso.js';
import { contextNameFor, normaliseServer, upsertContext, type Context } from '../config/contexts.js';
import { CliError, usageError } from '../errors.js';
import { HubClient } from '../http/client.js';
import { api, get, post } from '../http/request.js';
import { prompt, readSecret } from '../io/prompt.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
  token?: string;
  sso?: boolean;
  tenant?: string;
  context?: string;
}

interface Me {
  kind: 'user' | 'token';
  name: string;
  tenant?: string | null;
}

export const loginRequest = (username: string, password: string) =>
  post(api`/auth/login`, { username, password });

/** Exactly one way to log in; with none on a terminal, ask for user name and password. */
export function loginMethod(options: LoginOptions): 'password' | 'token' | 'sso' {
  const chosen = [
    options.username || options.passwordStdin ? 'password' : null,
    options.token ? 'token' : null,
    options.sso ? 'sso' : null,
  ].filter((m): m is 'password' | 'token' | 'sso' => m !== null);
  if (chosen.length > 1)
    throw usageError(
      `choose one of --username/--password-stdin, --token or --sso, not ${chosen.join(' and ')}`,
    );
  return chosen[0] ?? 'password';
}

async function obtainToken(
  server: string,
  options: LoginOptions,
): Promise<{ token: string; kind: Context['tokenKind'] }> {
  const method = loginMethod(options);
  if (method === 'token') return { token: options.token!, kind: 'api' };
  if (method === 'sso') {
    const token = await ssoLogin(server, {
      open: openBrowser,
      announce: (url) =>
        process.stderr.write(`Opening your browser to sign in. If it does not open, visit:\n  ${url}\n`),
    });
    return { token, kind: 'access' };
  }
  let username = options.username;
  if (!username) {
    if (!process.stdin.isTTY) throw usageError('give --username (with --password-stdin), --token or --sso');
    username = await prompt('Username: ');
  }
  const password = await readSecret('password', {
    fromStdin: Boolean(options.passwordStdin),
    flag: '--password-stdin',
  });
  const answer = await new HubClient(server).send<{ accessToken?: string }>(loginRequest(username, password));
  if (!answer?.accessToken)
    throw new CliError(`the hub at ${server} answered the login without an access token`);
  return { token: answer.accessToken, kind: 'access' };
}

export function registerAuth(program: Command): void {
  examples(
    program
      .command('login')
      .description('log in to a hub and save it as a context (the global --context names it)')
      .argument('<server>', 'hub URL, like https://hub.example.com')
      .option('-u, --username <name>', 'local user name')
      .option('--password-stdin', 'read the password from stdin (otherwise asked for without echo)')
      .option('--token <token>', 'log in with an API token (flt_…)')
      .option('--sso', 'single sign-on in the browser')
      .option('-t, --tenant <slug>', 'default tenant for tenant-scoped commands')
      .action(
        withSession(async (session, server: string, options: LoginOptions) => {
          const url = normaliseServer(server);
          const { token, kind } = await obtainToken(url, options);
          // Proves the token works before it is saved, and learns whose it is.
          const me = await new HubClient(url, token).send<Me>(get(api`/me`));
          const name = session.requestedContext ?? contextNameFor(url);
          const tenant = options.tenant ?? me.tenant ?? undefined;
          await session.save(
            upsertContext(session.config, {
              name,
              server: url,
              token,
              tokenKind: kind,
              user: `${me.kind}:${me.name}`,
              tenant,
            }),
          );
          session.printer.note(
            `Logged in to ${url} as ${me.kind} ${me.name}; context "${name}" is now current.`,
          );
        }),
      ),
    'flotilla login https://hub.example.com --sso',
    'echo "$PASSWORD" | flotilla login https://hub.example.com -u admin --password-stdin',
    'flotilla login http://localhost:8080 --token "$FLOTILLA_TOKEN" --context ci --tenant team-a',
  );

  examples(
    program
      .command('logout')
      .description('forget the credentials of the current context (or --context); the context stays')
      .action(
        withSession(async (session) => {
          const context = session.context();
          const { token: _forgotten, ...rest } = context;
          await session.save({
            ...session.config,
            contexts: session.config.contexts.map((c) => (c.name === context.name ? rest : c)),
          });
          session.printer.note(`Logged out of ${context.server} (context "${context.name}").`);
        }),
      ),
    'flotilla logout',
    'flotilla logout --context staging',
  );
}
