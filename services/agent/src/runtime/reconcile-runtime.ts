import type { KubeConfig } from '@kubernetes/client-node';
import {
  ConfigMapInventoryStore,
  KubeClient,
  Reconciler,
  ResourceManager,
  type KubeClientOptions,
  type Logger,
} from '../reconcile/index.js';
import { AgentRuntime, type AgentRuntimeOptions } from './agent-runtime.js';

export interface ReconcileRuntimeOptions {
  /** The agent's own access to its cluster (the one it registered with). */
  kubeConfig: KubeConfig;
  /** The agent's namespace: inventories and tenant ServiceAccounts live there. */
  namespace: string;
  /** The hub's bundle-signing public key (Ed25519, PEM or base64 DER). */
  bundlePublicKey: string;
  /** Local state: cached assignment and bundles, queued reports, status sequence. */
  stateDir: string;
  logger?: Logger;
  kubeClient?: KubeClientOptions;
  /** Timers and concurrency of the runtime (tests shorten them). */
  tuning?: Pick<AgentRuntimeOptions, 'resyncIntervalMs' | 'pollIntervalMs' | 'debounceMs' | 'concurrency'> & {
    watchBackoff?: { baseMs: number; maxMs: number };
    /**
     * Watch the applied objects to find drift at once (default true). Off, drift waits for the
     * periodic resync: simulated fleets turn it off rather than hold a watch per namespace.
     */
    driftWatches?: boolean;
  };
}

/**
 * The reconcile side of one agent, built from one kubeconfig: client → resource manager →
 * inventory → reconciler → runtime (with watch-triggered drift detection unless turned off). Not started.
 */
export function openReconcileRuntime(options: ReconcileRuntimeOptions): Promise<AgentRuntime> {
  const { kubeConfig, namespace, logger, tuning = {} } = options;
  const { watchBackoff, driftWatches = true, ...timers } = tuning;
  const manager = new ResourceManager(KubeClient.create(kubeConfig, options.kubeClient));
  const inventory = new ConfigMapInventoryStore(manager, namespace);
  const reconciler = new Reconciler({
    manager,
    inventory,
    agentNamespace: namespace,
    bundlePublicKey: options.bundlePublicKey,
    logger,
  });
  return AgentRuntime.open({
    state: { dir: options.stateDir },
    reconciler,
    inventory,
    watch: driftWatches ? { kubeConfig, manager, ...(watchBackoff && { backoff: watchBackoff }) } : undefined,
    logger,
    ...timers,
  });
}
