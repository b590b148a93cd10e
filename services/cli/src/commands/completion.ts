import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { examples } from './help.js';

/** "" → top-level words, "tenant" → its sub-commands and options, … for every command path. */
export function completionTable(program: Command): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const visit = (command: Command, path: string[]) => {
    const words = [
      ...command.commands.flatMap((c) => [c.name(), ...c.aliases()]),
      ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))),
    ];
    table.set(path.join(' '), words);
    for (const sub of command.commands) {
      for (const name of [sub.name(), ...sub.aliases()]) visit(sub, [...path, name]);
    }
  };
  visit(program, []);
  return table;
}

/**
 * A static bash completion script: the words after `flotilla` that name sub-commands select a
 * row of the table; options and arguments in between are skipped. zsh loads it through
 * bashcompinit, so both shells share one table.
 */
export function bashScript(program: Command): string {
  const rows = [...completionTable(program)]
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# flotilla bash completion: source <(flotilla completion bash)
_flotilla() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" candidate words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    candidate="\${path:+$path }\${COMP_WORDS[i]}"
    case "$candidate" in
${[...completionTable(program).keys()]
  .filter(Boolean)
  .map((path) => `      "${path}") path="$candidate" ;;`)
  .join('\n')}
    esac
  done
  case "$path" in
${rows}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _flotilla flotilla
`;
}

export function zshScript(program: Command): string {
  return `# flotilla zsh completion: source <(flotilla completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;
}

export function registerCompletion(program: Command): void {
  examples(
    program
      .command('completion')
      .argument('<shell>', 'bash or zsh')
      .description('print a shell completion script')
      .action((shell: string) => {
        if (shell === 'bash') process.stdout.write(bashScript(program));
        else if (shell === 'zsh') process.stdout.write(zshScript(program));
        else throw usageError(`no completion for "${shell}": use bash or zsh`);
      }),
    'source <(flotilla completion bash)      # in ~/.bashrc',
    'source <(flotilla completion zsh)       # in ~/.zshrc',
  );
}
