import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../program.js';
import { bashScript, completionTable } from './completion.js';

/** Runs the generated script in a real bash, as a Tab press would. */
async function complete(line: string): Promise<string[]> {
  const words = line.split(' ');
  const script = `${bashScript(buildProgram())}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_flotilla; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await promisify(execFile)('bash', ['-c', script]);
  return stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('knows every command path', () => {
    const table = completionTable(buildProgram());
    expect(table.get('')).toEqual(
      expect.arrayContaining(['login', 'tenant', 'binding', 'status', '--output']),
    );
    expect(table.get('binding')).toEqual(expect.arrayContaining(['rollback', 'sync', 'suspend', 'resume']));
    expect(table.get('binding rollback')).toEqual(
      expect.arrayContaining(['--wait', '--timeout', '--tenant']),
    );
  });

  it('completes sub-commands and options in bash, skipping options already typed', async () => {
    expect(await complete('flotilla bin')).toEqual(['binding']);
    expect(await complete('flotilla -o json binding s')).toEqual(['sync', 'suspend']);
    expect(await complete('flotilla cluster add edge-1 --la')).toEqual(['--labels']);
  });
});
