import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

const leaves = (command: Command, path: string[] = []): [string, Command][] =>
  command.commands.length === 0
    ? [[path.join(' '), command]]
    : command.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));

describe('command tree', () => {
  it('every command’s --help ends with runnable examples', () => {
    const all = leaves(buildProgram()).filter(([path]) => path !== 'help');
    expect(all.length).toBeGreaterThan(50);
    for (const [path, command] of all) {
      const help = helpOf(command);
      expect(help, path).toMatch(/\nExamples:\n {2}.*flotilla /);
    }
  });

  it('covers every documented command', () => {
    const paths = leaves(buildProgram()).map(([path]) => path);
    for (const expected of [
      'login',
      'logout',
      'context list',
      'context use',
      'context current',
      'context delete',
      'tenant list',
      'tenant get',
      'tenant create',
      'tenant update',
      'tenant delete',
      'user list',
      'user create',
      'user disable',
      'user reset-password',
      'role list',
      'role get',
      'role create',
      'rolebinding list',
      'rolebinding create',
      'rolebinding delete',
      'token list',
      'token create',
      'token revoke',
      'audit',
      'me permissions',
      'cluster list',
      'cluster get',
      'cluster add',
      'cluster label',
      'cluster delete',
      'cluster install-yaml',
      'cluster rotate-credentials',
      'grant list',
      'grant create',
      'grant delete',
      'repo list',
      'repo get',
      'repo create',
      'repo delete',
      'repo refresh',
      'binding list',
      'binding get',
      'binding create',
      'binding delete',
      'binding preview',
      'binding history',
      'binding rollback',
      'binding sync',
      'binding suspend',
      'binding resume',
      'status',
      'watch',
      'completion',
    ]) {
      expect(paths).toContain(expected);
    }
  });
});
