/**
 * Exit codes, documented in docs/cli.md. Scripts branch on them, so they never change meaning.
 */
export const ExitCode = {
  ok: 0,
  /** The hub refused the request (validation, conflict, server error), or anything else failed. */
  error: 1,
  /** The command line itself is wrong (unknown option, missing argument, bad label syntax). */
  usage: 2,
  /** No context, no credentials, or the hub answered 401. */
  notLoggedIn: 3,
  /** The hub answered 403. */
  forbidden: 4,
  /** The hub answered 404. */
  notFound: 5,
  /** The hub could not be reached, or a --wait timed out. */
  unavailable: 6,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI explains in one line and turns into an exit code; never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.error,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, ExitCode.usage);
