import type { Command } from 'commander';

/** Every command shows runnable examples under its --help, like kubectl. */
export function examples(command: Command, ...lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
}

export const tenantOption = (command: Command): Command =>
  command.option('-t, --tenant <slug>', 'tenant (default: the context’s default tenant)');
