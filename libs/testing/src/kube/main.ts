/**
 * Standalone Kubernetes API test server:
 *   npm run kube-test-server -- --port 6443 --kubeconfig /tmp/kubeconfig [--tls] [--simulate-controllers 500]
 * Writes an admin kubeconfig to --kubeconfig and serves until SIGINT/SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import { KubeTestServer } from './server.js';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

const program = new Command()
  .name('kube-test-server')
  .description('A Kubernetes API server for tests: discovery, CRUD, server-side apply, watch, CRDs, RBAC')
  .option('-p, --port <port>', 'port to listen on (0: a free one)', integer, 0)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('-k, --kubeconfig <path>', 'write an admin kubeconfig for this server to PATH')
  .option('--tls', 'serve HTTPS with a self-signed certificate (needed for kubectl bearer tokens)', false)
  .option('--simulate-controllers <ms>', 'workloads become available after this many milliseconds', integer)
  .option('--namespace <name...>', 'extra namespaces to create at start')
  .option('-v, --verbose', 'log every request', false);

program.parse();
const opts = program.opts<{
  port: number;
  host: string;
  kubeconfig?: string;
  tls: boolean;
  simulateControllers?: number;
  namespace?: string[];
  verbose: boolean;
}>();

const server = await KubeTestServer.start({
  port: opts.port,
  host: opts.host,
  tls: opts.tls,
  simulateControllers:
    opts.simulateControllers !== undefined ? { availabilityDelayMs: opts.simulateControllers } : false,
  namespaces: opts.namespace,
  log: opts.verbose ? (line) => console.log(line) : undefined,
});
if (opts.kubeconfig) await server.writeKubeconfig(opts.kubeconfig);
console.log(
  `kube-test-server listening on ${server.url}${opts.kubeconfig ? ` (kubeconfig: ${opts.kubeconfig})` : ''}`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
