import { writeFile } from 'node:fs/promises';
import type { RunningHub } from './hub.js';

/**
 * The settings an agent outside this process needs (`npm run agent` against a real cluster's
 * kubeconfig, see docs/demo.md), as a file to source: `set -a; . .flotilla/demo/agent.env`.
 */
export async function writeAgentEnv(path: string, hub: RunningHub): Promise<void> {
  await writeFile(
    path,
    `FLOTILLA_AGENT_NATS_URL="${hub.natsUrl}"\nFLOTILLA_AGENT_BUNDLE_PUBLIC_KEY="${hub.bundlePublicKey.trim()}"\n`,
    { mode: 0o644 },
  );
}
