import { CoreV1Api, VersionApi, type KubeConfig } from '@kubernetes/client-node';

/** What the agent tells the hub about its cluster in hello. */
export async function clusterFacts(
  kubeConfig: KubeConfig,
): Promise<{ kubernetesVersion: string; nodeCount: number }> {
  const [version, nodes] = await Promise.all([
    kubeConfig.makeApiClient(VersionApi).getCode(),
    kubeConfig.makeApiClient(CoreV1Api).listNode(),
  ]);
  return { kubernetesVersion: version.gitVersion, nodeCount: nodes.items.length };
}
