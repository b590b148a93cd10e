import type { Command } from 'commander';
import { api, get, post } from '../http/request.js';
import { readSecret } from '../io/prompt.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface User {
  username: string;
  displayName: string | null;
  email: string | null;
  source: string;
  disabled: boolean;
  createdAt: string;
}

const columns: Column<User>[] = [
  { header: 'username', value: (u) => u.username },
  { header: 'display name', value: (u) => u.displayName },
  { header: 'email', value: (u) => u.email },
  { header: 'source', value: (u) => u.source },
  { header: 'status', value: (u) => (u.disabled ? 'Disabled' : 'Active'), state: true },
  { header: 'created', value: (u) => u.createdAt },
];

export const userRequests = {
  list: () => get(api`/users`),
  create: (username: string, password: string, flags: { displayName?: string; email?: string }) =>
    post(api`/users`, { username, password, displayName: flags.displayName, email: flags.email }),
  disable: (username: string) => post(api`/users/${username}/disable`),
  enable: (username: string) => post(api`/users/${username}/enable`),
  resetPassword: (username: string, password: string) =>
    post(api`/users/${username}/reset-password`, { password }),
};

const passwordOption = (command: Command) =>
  command.option('--password-stdin', 'read the password from stdin (otherwise asked for without echo)');
const password = (flags: { passwordStdin?: boolean }) =>
  readSecret('password', { fromStdin: Boolean(flags.passwordStdin), flag: '--password-stdin' });

export function registerUser(program: Command): void {
  const user = examples(program.command('user').description('manage local users'), 'flotilla user list');

  examples(
    user
      .command('list')
      .alias('ls')
      .description('list local and SSO users')
      .action(
        withSession(async (s) => s.printer.list(await s.client().all<User>(userRequests.list()), columns)),
      ),
    'flotilla user list',
  );

  examples(
    passwordOption(
      user
        .command('create')
        .argument('<username>')
        .description('create a local user')
        .option('--display-name <name>')
        .option('--email <address>'),
    ).action(
      withSession(
        async (
          s,
          username: string,
          flags: { passwordStdin?: boolean; displayName?: string; email?: string },
        ) => {
          const created = await s
            .client()
            .send<User>(userRequests.create(username, await password(flags), flags));
          await s.printer.one(created, columns);
        },
      ),
    ),
    'printf "%s" "$PASSWORD" | flotilla user create alice --email alice@example.com --password-stdin',
  );

  for (const [verb, description] of [
    ['disable', 'disable a user: logins and issued access tokens stop working'],
    ['enable', 'enable a disabled user again'],
  ] as const) {
    examples(
      user
        .command(verb)
        .argument('<username>')
        .description(description)
        .action(
          withSession(async (s, username: string) =>
            s.printer.one(await s.client().send<User>(userRequests[verb](username)), columns),
          ),
        ),
      `flotilla user ${verb} alice`,
    );
  }

  examples(
    passwordOption(
      user
        .command('reset-password')
        .argument('<username>')
        .description('set a new password; existing sessions end'),
    ).action(
      withSession(async (s, username: string, flags: { passwordStdin?: boolean }) => {
        await s.client().send(userRequests.resetPassword(username, await password(flags)));
        s.printer.note(`Password of ${username} reset.`);
      }),
    ),
    'printf "%s" "$NEW_PASSWORD" | flotilla user reset-password alice --password-stdin',
  );
}
