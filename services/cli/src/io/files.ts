import { writeFile } from 'node:fs/promises';
import { CliError } from '../errors.js';

/** Files that carry one-time registration tokens are written readable by the owner only. */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  try {
    await writeFile(path, content, { mode: 0o600 });
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`);
  }
}
