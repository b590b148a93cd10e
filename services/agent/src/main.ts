import { createServer } from 'node:http';
import { join } from 'node:path';
import { decodeRegistrationToken } from '@flotilla/contracts';
import { pino } from 'pino';
import { Agent } from './agent.js';
import { DEFAULT_RATE_LIMIT, type KubeConfigSource } from './reconcile/index.js';
import type { RateLimit } from './reconcile/rate-limit.js';

/**
 * `npm run agent`: one agent from the environment. In a cluster the install manifests set
 * FLOTILLA_AGENT_NATS_URL and the namespace, and the token comes from the registration Secret;
 * outside, give FLOTILLA_AGENT_TOKEN and KUBECONFIG.
 */
function kubeSource(env: NodeJS.ProcessEnv): KubeConfigSource {
  if (env.KUBECONFIG) return { kubeconfigPath: env.KUBECONFIG };
  if (env.KUBERNETES_SERVICE_HOST) return { inCluster: true };
  throw new Error('set KUBECONFIG (outside a cluster) or run in a cluster');
}

/** In a cluster the install manifests mount a volume; outside, one directory per cluster. */
function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.FLOTILLA_AGENT_STATE_DIR) return env.FLOTILLA_AGENT_STATE_DIR;
  if (!env.KUBECONFIG && env.KUBERNETES_SERVICE_HOST) return '/var/lib/flotilla-agent';
  let cluster = 'default';
  try {
    if (env.FLOTILLA_AGENT_TOKEN) cluster = decodeRegistrationToken(env.FLOTILLA_AGENT_TOKEN).cluster;
  } catch {
    // A bad token is reported by registration; the directory name only needs to be stable.
  }
  return join('.flotilla', `agent-${cluster}`);
}

/** FLOTILLA_AGENT_KUBE_QPS / _BURST: the agent's request budget against its API server. */
function kubeRateLimit(env: NodeJS.ProcessEnv): RateLimit {
  const limit = {
    qps: Number(env.FLOTILLA_AGENT_KUBE_QPS || DEFAULT_RATE_LIMIT.qps),
    burst: Number(env.FLOTILLA_AGENT_KUBE_BURST || DEFAULT_RATE_LIMIT.burst),
  };
  if (!(limit.qps > 0)) throw new Error('FLOTILLA_AGENT_KUBE_QPS must be a number above 0');
  if (!(Number.isInteger(limit.burst) && limit.burst >= 1))
    throw new Error('FLOTILLA_AGENT_KUBE_BURST must be a whole number of at least 1');
  return limit;
}

async function main(): Promise<void> {
  const env = process.env;
  const logger = pino({ level: env.FLOTILLA_AGENT_LOG_LEVEL ?? 'info', base: { service: 'flotilla-agent' } });
  const natsUrl = env.FLOTILLA_AGENT_NATS_URL;
  if (!natsUrl)
    throw new Error('FLOTILLA_AGENT_NATS_URL is required (the hub shows it with the registration token)');
  const bundlePublicKey = env.FLOTILLA_AGENT_BUNDLE_PUBLIC_KEY;
  if (!bundlePublicKey)
    throw new Error('FLOTILLA_AGENT_BUNDLE_PUBLIC_KEY is required (install.yaml sets it from the hub)');
  const agent = new Agent({
    natsUrl: natsUrl.split(','),
    registrationToken: env.FLOTILLA_AGENT_TOKEN || undefined,
    kube: kubeSource(env),
    namespace: env.FLOTILLA_AGENT_NAMESPACE || 'flotilla-system',
    logger,
    reconcile: { bundlePublicKey, stateDir: stateDir(env), kubeClient: { rateLimit: kubeRateLimit(env) } },
  });
  const health = createServer((req, res) => {
    // Live while the process runs; ready once the hub accepted this agent.
    const ok = req.url === '/healthz' ? agent.state !== 'stopped' : agent.state === 'connected';
    res.writeHead(req.url === '/healthz' || req.url === '/readyz' ? (ok ? 200 : 503) : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ state: agent.state, clusterId: agent.clusterId }));
  });
  const port = Number(env.FLOTILLA_AGENT_HEALTH_PORT ?? 8081);
  health.listen(port);
  agent.start();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'draining and stopping');
      health.close();
      agent.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`flotilla agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
