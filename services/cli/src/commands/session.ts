import type { Command } from 'commander';
import {
  configPath,
  loadConfig,
  resolveContext,
  saveConfig,
  type CliConfig,
  type Context,
} from '../config/contexts.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { HubClient } from '../http/client.js';
import { parseFormat, Printer } from '../output/printer.js';

interface GlobalOptions {
  context?: string;
  output?: string;
}

/**
 * What a command needs from the invocation: the config file, the chosen context, the
 * client for it and the printer for -o. Built per command run from the global options.
 */
export class Session {
  private constructor(
    readonly config: CliConfig,
    readonly configPath: string,
    readonly printer: Printer,
    /** The global --context, if given. */
    readonly requestedContext: string | undefined,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async of(command: Command, env: NodeJS.ProcessEnv = process.env): Promise<Session> {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const printer = new Printer(parseFormat(globals.output ?? 'table'));
    const path = configPath(env);
    return new Session(await loadConfig(path), path, printer, globals.context, env);
  }

  /**
   * FLOTILLA_SERVER + FLOTILLA_TOKEN act as an unnamed context (for CI, where no config file
   * should be written); otherwise --context or the current context.
   */
  context(): Context {
    if (!this.requestedContext && this.env.FLOTILLA_SERVER && this.env.FLOTILLA_TOKEN) {
      return {
        name: '(environment)',
        server: this.env.FLOTILLA_SERVER,
        token: this.env.FLOTILLA_TOKEN,
        tokenKind: 'api',
      };
    }
    return resolveContext(this.config, this.requestedContext);
  }

  client(): HubClient {
    const context = this.context();
    if (!context.token) {
      throw new CliError(
        `not logged in to ${context.server}: run \`flotilla login ${context.server}\``,
        ExitCode.notLoggedIn,
      );
    }
    return new HubClient(context.server, context.token);
  }

  /** --tenant, else the context's default tenant. */
  tenant(explicit: string | undefined): string {
    const tenant = explicit ?? this.context().tenant;
    if (!tenant)
      throw usageError('which tenant? give --tenant <slug> or set a default with `flotilla login --tenant`');
    return tenant;
  }

  async save(config: CliConfig): Promise<void> {
    await saveConfig(config, this.configPath);
  }
}

/** Wraps an action so it receives the Session first; commander passes the Command last. */
export function withSession<A extends unknown[]>(action: (session: Session, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args.at(-1) as Command;
    await action(await Session.of(command), ...(args.slice(0, -1) as A));
  };
}
