import { CommanderError } from 'commander';
import { CliError, ExitCode } from './errors.js';
import { paint } from './output/colour.js';
import { buildProgram } from './program.js';

/** Commander has already printed its own message; only the exit code is decided here. */
function commanderExit(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
  return ExitCode.usage;
}

/** One line on stderr per failure, never a stack trace (unless FLOTILLA_DEBUG asks for it). */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${paint('red', 'error:', process.stderr)} ${message}\n`);
    if (process.env.FLOTILLA_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return error instanceof CliError ? error.exitCode : ExitCode.error;
  }
}

process.exitCode = await run(process.argv);
