/**
 * Runs the real `kubectl` against a test server: its own kubeconfig file and a fresh
 * discovery cache, always asynchronously (a synchronous child process would block the event
 * loop of the process that hosts the server).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kubectl {
  private constructor(
    readonly dir: string,
    readonly kubeconfigPath: string,
  ) {}

  /** Writes `kubeconfig` to a temporary directory that also holds kubectl's cache. */
  static async create(kubeconfig: string): Promise<Kubectl> {
    const dir = await mkdtemp(join(tmpdir(), 'kubectl-'));
    const path = join(dir, 'kubeconfig');
    await writeFile(path, kubeconfig, { mode: 0o600 });
    return new Kubectl(dir, path);
  }

  /** Runs kubectl; resolves with its exit code and output (never rejects on a non-zero exit). */
  run(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'kubectl',
        ['--kubeconfig', this.kubeconfigPath, '--cache-dir', join(this.dir, 'cache'), ...args],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, KUBECONFIG: this.kubeconfigPath, HOME: this.dir },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(opts.stdin ?? '');
    });
  }

  /** Runs kubectl and fails unless it exits 0; returns stdout. */
  async ok(args: string[], opts: { stdin?: string } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
