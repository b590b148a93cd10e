import { CliError, usageError } from '../errors.js';
import { readStdin } from '../args/from-file.js';

/** Reads one secret: the first line of stdin with `fromStdin`, else a no-echo prompt on a TTY. */
export async function readSecret(
  what: string,
  options: { fromStdin: boolean; flag: string },
): Promise<string> {
  if (options.fromStdin) {
    const secret = (await readStdin()).split(/\r?\n/)[0] ?? '';
    if (!secret) throw usageError(`${options.flag} was given but stdin held no ${what}`);
    return secret;
  }
  if (!process.stdin.isTTY)
    throw usageError(`no terminal to ask for the ${what}: pipe it in with ${options.flag}`);
  return promptHidden(`${what[0]!.toUpperCase()}${what.slice(1)}: `);
}

/** Asks on stderr (stdout may be piped) and reads keys in raw mode so nothing is echoed. */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  let value = '';
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (keys: string) => {
      for (const key of keys) {
        if (key === '\r' || key === '\n') return finish();
        if (key === '\u0003') return finish(new CliError('cancelled'));
        if (key === '\u007f' || key === '\b') value = value.slice(0, -1);
        else if (key >= ' ') value += key;
      }
    };
    input.on('data', onData);
  });
}

/** Plain (echoed) question, for a user name. */
export async function prompt(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}
