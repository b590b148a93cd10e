import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { NatsAuthority } from '../nats/index.js';

export interface NatsConfigFiles {
  /** The configuration the managed (development) server runs with. */
  local: string;
  /** The same operator for Kubernetes (`deploy/nats`): paste into the ConfigMap. */
  kubernetes: string;
}

/**
 * Writes the NATS server configuration for this hub's operator: one for the local server the
 * hub manages, one for the Kubernetes manifests in `deploy/nats`. Both hold JWTs only, no seeds.
 */
export async function writeNatsConfigs(
  authority: NatsAuthority,
  dataDir: string,
  port: number,
): Promise<NatsConfigFiles> {
  const dir = resolve(dataDir, 'nats');
  await mkdir(join(dir, 'jwt'), { recursive: true, mode: 0o700 });
  const local = join(dir, 'nats.conf');
  const kubernetes = join(dir, 'nats-kubernetes.conf');
  await writeFile(
    local,
    await authority.renderServerConfig({
      port,
      storeDir: join(dir, 'jetstream'),
      resolverDir: join(dir, 'jwt'),
    }),
    { mode: 0o600 },
  );
  await writeFile(
    kubernetes,
    await authority.renderServerConfig({
      port: 4222,
      monitorPort: 8222,
      storeDir: '/data/jetstream',
      resolverDir: '/data/jwt',
    }),
    { mode: 0o644 },
  );
  return { local, kubernetes };
}

/** A nats-server child process run with the hub's configuration (managed mode). */
export class ManagedNatsServer {
  #child: ChildProcess | null = null;
  #log = '';

  private constructor() {}

  /** Starts `binary -c configFile` and resolves once the server says it is ready. */
  static async start(binary: string, configFile: string, timeoutMs = 15_000): Promise<ManagedNatsServer> {
    const server = new ManagedNatsServer();
    const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    server.#child = child;
    // However the hub process ends (process.exit included), its server must not outlive it.
    process.once('exit', server.#killOnExit);
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`nats-server not ready after ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(
          new Error(`nats-server exited with code ${code}: ${server.#log.trim().split('\n').at(-1) ?? ''}`),
        );
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        // Keep only the tail: enough to explain a failure, bounded in memory.
        server.#log = (server.#log + chunk.toString()).slice(-8192);
        if (server.#log.includes('Server is ready')) {
          clearTimeout(timer);
          ready();
        }
      });
    }).catch(async (error: unknown) => {
      await server.stop();
      throw error;
    });
    return server;
  }

  readonly #killOnExit = () => this.#child?.kill('SIGTERM');

  async stop(): Promise<void> {
    process.off('exit', this.#killOnExit);
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
  }
}
