import type { Command } from 'commander';
import { removeContext, resolveContext, type Context } from '../config/contexts.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

/** What `context` shows, also as JSON: never the token itself. */
const publicView = (c: Context, current: boolean) => ({
  name: c.name,
  server: c.server,
  user: c.user ?? null,
  tenant: c.tenant ?? null,
  loggedIn: Boolean(c.token),
  current,
});
type View = ReturnType<typeof publicView>;

const columns: Column<View>[] = [
  { header: 'current', value: (c) => (c.current ? '*' : ''), empty: '' },
  { header: 'name', value: (c) => c.name },
  { header: 'server', value: (c) => c.server },
  { header: 'user', value: (c) => (c.loggedIn ? c.user : '(logged out)') },
  { header: 'tenant', value: (c) => c.tenant },
];

export function registerContext(program: Command): void {
  const context = examples(
    program.command('context').alias('ctx').description('manage saved hubs and credentials (contexts)'),
    'flotilla context list',
    'flotilla context use prod',
  );

  examples(
    context
      .command('list')
      .alias('ls')
      .description('list contexts; * marks the current one')
      .action(
        withSession(async (session) => {
          const { contexts, currentContext } = session.config;
          await session.printer.list(
            contexts.map((c) => publicView(c, c.name === currentContext)),
            columns,
          );
        }),
      ),
    'flotilla context list -o json',
  );

  examples(
    context
      .command('use')
      .description('make a context current')
      .argument('<name>')
      .action(
        withSession(async (session, name: string) => {
          resolveContext(session.config, name);
          await session.save({ ...session.config, currentContext: name });
          session.printer.note(`Switched to context "${name}".`);
        }),
      ),
    'flotilla context use prod',
  );

  examples(
    context
      .command('current')
      .description('print the current context name')
      .action(
        withSession(async (session) => {
          const current = resolveContext(session.config, session.requestedContext);
          await session.printer.value(publicView(current, true), () => current.name);
        }),
      ),
    'flotilla context current',
  );

  examples(
    context
      .command('delete')
      .alias('rm')
      .description('delete a context and its credentials')
      .argument('<name>')
      .action(
        withSession(async (session, name: string) => {
          await session.save(removeContext(session.config, name));
          session.printer.note(`Deleted context "${name}".`);
        }),
      ),
    'flotilla context delete staging',
  );
}
