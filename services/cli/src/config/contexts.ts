import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, ExitCode } from '../errors.js';

/** One hub the CLI can talk to, and who it talks to it as. */
export interface Context {
  name: string;
  server: string;
  /** Short-lived access token (password / SSO login) or an API token (flt_…). */
  token?: string;
  tokenKind?: 'access' | 'api';
  /** Who the token belongs to, as GET /me said at login: shown by `context list`. */
  user?: string;
  /** Used by tenant-scoped commands when --tenant is not given. */
  tenant?: string;
}

export interface CliConfig {
  currentContext?: string;
  contexts: Context[];
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOTILLA_CONFIG) return env.FLOTILLA_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'flotilla', 'config.json');
}

export async function loadConfig(path = configPath()): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: [] };
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<CliConfig>;
    const contexts = Array.isArray(parsed.contexts)
      ? parsed.contexts.filter((c) => typeof c?.name === 'string' && typeof c?.server === 'string')
      : [];
    return { currentContext: parsed.currentContext, contexts };
  } catch {
    throw new CliError(`${path} is not valid JSON; fix or delete it`);
  }
}

/**
 * Tokens live in this file, so it is 0600 in a 0700 directory — also when it existed before
 * with looser modes. Written to a temporary file and renamed so a crash never leaves half a file.
 */
export async function saveConfig(config: CliConfig, path = configPath()): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** The named context, or the current one; a CliError (exit 3) when there is none. */
export function resolveContext(config: CliConfig, name?: string): Context {
  const wanted = name ?? config.currentContext;
  if (!wanted) {
    throw new CliError('no current context: run `flotilla login <server>` first', ExitCode.notLoggedIn);
  }
  const context = config.contexts.find((c) => c.name === wanted);
  if (!context) {
    throw new CliError(
      `context "${wanted}" does not exist (see \`flotilla context list\`)`,
      name ? ExitCode.notFound : ExitCode.notLoggedIn,
    );
  }
  return context;
}

/** Adds or replaces a context by name and makes it current. */
export function upsertContext(config: CliConfig, context: Context): CliConfig {
  const contexts = config.contexts.filter((c) => c.name !== context.name);
  return { currentContext: context.name, contexts: [...contexts, context] };
}

export function removeContext(config: CliConfig, name: string): CliConfig {
  if (!config.contexts.some((c) => c.name === name)) {
    throw new CliError(`context "${name}" does not exist`, ExitCode.notFound);
  }
  return {
    currentContext: config.currentContext === name ? undefined : config.currentContext,
    contexts: config.contexts.filter((c) => c.name !== name),
  };
}

/** Default context name for a server: its host:port, like argocd. */
export function contextNameFor(server: string): string {
  return new URL(server).host;
}

/** Accepts `hub.example.com`, `localhost:8080` or a full URL; plain names get https. */
export function normaliseServer(input: string): string {
  const withScheme = /^https?:\/\//i.test(input) ? input : `https://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(`"${input}" is not a server address (like https://hub.example.com)`, ExitCode.usage);
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new CliError(`give the server without a path: ${url.origin}`, ExitCode.usage);
  }
  return url.origin;
}
