import { Command } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerAuth } from './commands/auth.js';
import { registerBinding } from './commands/binding.js';
import { registerCluster } from './commands/cluster.js';
import { registerCompletion } from './commands/completion.js';
import { registerContext } from './commands/context.js';
import { registerGrant } from './commands/grant.js';
import { registerMe } from './commands/me.js';
import { registerRepo } from './commands/repo.js';
import { registerRole } from './commands/role.js';
import { registerRoleBinding } from './commands/rolebinding.js';
import { registerStatus } from './commands/status.js';
import { registerTenant } from './commands/tenant.js';
import { registerToken } from './commands/token.js';
import { registerUser } from './commands/user.js';
import { registerWatch } from './commands/watch.js';
import { formats } from './output/printer.js';

/** The whole command tree; settings made here before the commands are added are inherited by them. */
export function buildProgram(): Command {
  const program = new Command('flotilla')
    .description('command-line client of the Flotilla GitOps hub')
    .option(
      '--context <name>',
      'use this context instead of the current one (login: name of the new context)',
    )
    .option('-o, --output <format>', `output format: ${formats.join(', ')}`, 'table')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Start with:
  flotilla login https://hub.example.com --sso
  flotilla status

Exit codes: 0 ok, 1 error, 2 usage, 3 not logged in, 4 permission denied, 5 not found,
6 hub unreachable or --wait timed out. Config: $FLOTILLA_CONFIG or ~/.config/flotilla/config.json.
`,
    );
  for (const register of [
    registerAuth,
    registerContext,
    registerMe,
    registerTenant,
    registerUser,
    registerRole,
    registerRoleBinding,
    registerToken,
    registerAudit,
    registerCluster,
    registerGrant,
    registerRepo,
    registerBinding,
    registerStatus,
    registerWatch,
    registerCompletion,
  ]) {
    register(program);
  }
  return program;
}
