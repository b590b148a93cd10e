import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  renderOperatorConfig,
  renderPlainConfig,
  type NatsServerPaths,
  type OperatorModeJwts,
} from './config.js';
import { freePort } from '../free-port.js';

export interface StartNatsServerOptions {
  /** Operator/JWT mode with the `full` resolver; plain (no auth) when omitted. */
  operator?: OperatorModeJwts;
  /** Full control over the configuration text, e.g. the hub's own `renderServerConfig`. */
  renderConfig?: (paths: NatsServerPaths) => string | Promise<string>;
  binary?: string;
  startTimeoutMs?: number;
}

export interface NatsTestServer {
  readonly url: string;
  readonly port: number;
  /** The temporary directory holding config, JetStream store and resolver data. */
  readonly dir: string;
  /** Stops the process, keeping port, config and store for `resume()`. */
  pause(): Promise<void>;
  /** Starts a paused server again; resolves when it is ready. */
  resume(): Promise<void>;
  /** `pause()`, wait `downtimeMs`, `resume()`. */
  restart(opts?: { downtimeMs?: number }): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const DEFAULT_BINARY = '/usr/sbin/nats-server';

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => finish(new Error(`nats-server not ready after ${timeoutMs} ms:\n${log}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) finish();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`nats-server exited (code ${code}) before ready:\n${log}`));
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining stderr so a chatty server never blocks on a full pipe.
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killTimer);
}

/** Starts a private nats-server with JetStream on a free port and waits until it is ready. */
export async function startNatsServer(opts: StartNatsServerOptions = {}): Promise<NatsTestServer> {
  if (opts.operator && opts.renderConfig) throw new Error('give either operator or renderConfig, not both');
  const binary = opts.binary ?? DEFAULT_BINARY;
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-nats-'));
  const paths: NatsServerPaths = {
    port: await freePort(),
    storeDir: join(dir, 'jetstream'),
    resolverDir: join(dir, 'jwt'),
  };
  await mkdir(paths.resolverDir);
  const configFile = join(dir, 'nats.conf');
  const config = opts.renderConfig
    ? await opts.renderConfig(paths)
    : opts.operator
      ? renderOperatorConfig(paths, opts.operator)
      : renderPlainConfig(paths);
  await writeFile(configFile, config, { mode: 0o600 });

  const launch = async () => {
    const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await waitForReady(child, startTimeoutMs);
    } catch (error) {
      await terminate(child);
      throw error;
    }
    return child;
  };

  let child: ChildProcess | null = null;
  try {
    child = await launch();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const pause = async () => {
    if (child) await terminate(child);
    child = null;
  };
  const resume = async () => {
    if (child) throw new Error('nats-server is already running');
    child = await launch();
  };
  return {
    url: `nats://127.0.0.1:${paths.port}`,
    port: paths.port,
    dir,
    pause,
    resume,
    async restart({ downtimeMs = 0 } = {}) {
      await pause();
      if (downtimeMs > 0) await sleep(downtimeMs);
      await resume();
    },
    async stop() {
      await pause();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
