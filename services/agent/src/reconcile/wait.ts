import { objectId, type KubeObject, type ObjectId } from '@flotilla/manifests';
import { describeId } from './changeset.js';
import type { ResourceManager } from './resource-manager.js';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
}

export const DEFAULT_WAIT: WaitOptions = { timeoutMs: 60_000, intervalMs: 250 };

/** Waits until a CRD's `Established` condition is True, so its custom resources can be applied. */
export async function waitForEstablished(
  manager: ResourceManager,
  crd: KubeObject,
  options: WaitOptions,
): Promise<void> {
  const id = objectId(crd);
  await poll(manager, options, `CustomResourceDefinition ${id.name} to be established`, async () => {
    const live = await manager.get(id);
    return live !== undefined && isEstablished(live);
  });
}

/** Waits until an object is gone (after a delete, before re-creating it). */
export async function waitForDeletion(
  manager: ResourceManager,
  id: ObjectId,
  options: WaitOptions,
): Promise<void> {
  await poll(
    manager,
    options,
    `${describeId(id)} to be deleted`,
    async () => (await manager.get(id)) === undefined,
  );
}

export function isEstablished(crd: KubeObject): boolean {
  const conditions = (crd.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

async function poll(
  manager: ResourceManager,
  options: WaitOptions,
  what: string,
  done: () => Promise<boolean>,
): Promise<void> {
  const deadline = manager.clock.now() + options.timeoutMs;
  while (!(await done())) {
    if (manager.clock.now() >= deadline)
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
    await manager.clock.sleep(options.intervalMs);
  }
}
