import { join } from 'node:path';
import { KubeTestServer } from '@flotilla/testing';
import { Agent } from '../../agent/src/agent.js';
import type { Logger } from '../../agent/src/reconcile/index.js';
import { clusterRequests } from '../../cli/src/commands/cluster.js';
import type { HubClient } from '../../cli/src/http/client.js';
import { ENVIRONMENTS, type Environment } from './sample-app.js';

/** Where an agent keeps its credential and inventories (as the install manifests set up). */
const AGENT_NAMESPACE = 'flotilla-system';

export interface SimulatedCluster {
  name: string;
  env: Environment;
  kube: KubeTestServer;
  agent: Agent;
}

export interface Fleet {
  clusters: SimulatedCluster[];
  stop(): Promise<void>;
}

export interface FleetOptions {
  /** The hub's bundle-signing public key: agents apply only bundles it signed. */
  bundlePublicKey: string;
  /** Each agent's local state goes to `<stateDir>/<cluster>`. */
  stateDir: string;
  logger: Logger;
}

interface Registration {
  registrationToken: string;
  natsUrl: string;
}

/**
 * Three simulated clusters — Kubernetes API test servers whose workloads become available
 * after a second — each registered through the API (`flotilla cluster add`) and run by a real
 * agent in this process: the same Agent and reconcile runtime as `npm run agent`.
 */
export async function startFleet(client: HubClient, options: FleetOptions): Promise<Fleet> {
  const clusters: SimulatedCluster[] = [];
  const kubes: KubeTestServer[] = [];
  const fleet: Fleet = {
    clusters,
    async stop() {
      await Promise.all(clusters.map((c) => c.agent.stop()));
      await Promise.all(kubes.map((kube) => kube.stop()));
    },
  };
  try {
    for (const env of ENVIRONMENTS) {
      const name = `${env}-1`;
      const kube = await KubeTestServer.start({
        tls: true,
        simulateControllers: { availabilityDelayMs: 1000 },
        namespaces: [AGENT_NAMESPACE],
      });
      kubes.push(kube);
      const registration = await client.send<Registration>(
        clusterRequests.add(name, { labels: `env=${env}` }),
      );
      const agent = new Agent({
        natsUrl: registration.natsUrl,
        registrationToken: registration.registrationToken,
        kube: { kubeconfig: kube.kubeconfig() },
        namespace: AGENT_NAMESPACE,
        logger: options.logger,
        reconcile: { bundlePublicKey: options.bundlePublicKey, stateDir: join(options.stateDir, name) },
      });
      agent.start();
      clusters.push({ name, env, kube, agent });
    }
  } catch (error) {
    await fleet.stop();
    throw error;
  }
  return fleet;
}
