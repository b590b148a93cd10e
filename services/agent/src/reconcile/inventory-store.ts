import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { dnsSubdomainProblem, type KubeObject, type ObjectId } from '@flotilla/manifests';
import { z } from 'zod';
import type { Inventory } from './inventory.js';
import type { ResourceManager } from './resource-manager.js';

/** Persists inventories; injected into the reconciler so the pipeline can be tested without a cluster. */
export interface InventoryStore {
  /** The stored inventory, or undefined when the binding has none on this cluster. */
  load(bindingId: string): Promise<Inventory | undefined>;
  save(inventory: Inventory): Promise<void>;
  remove(bindingId: string): Promise<void>;
  /** Binding ids that have an inventory on the cluster (to find bindings that left the assignment). */
  list(): Promise<string[]>;
}

export const INVENTORY_LABEL = 'flotilla.dev/inventory';

const objectIdSchema = z.object({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
});

const storedSchema = z.object({
  bindingId: z.string(),
  tenant: z.string(),
  appliedDigest: z.string().optional(),
  commit: z.string().optional(),
  entries: z.array(objectIdSchema),
});

/**
 * One ConfigMap per binding in the agent's namespace (`flotilla-inventory-<bindingId>`),
 * labelled with the binding id, holding the inventory as JSON. Saving an unchanged
 * inventory writes nothing.
 */
export class ConfigMapInventoryStore implements InventoryStore {
  constructor(
    private readonly manager: ResourceManager,
    private readonly namespace: string,
  ) {}

  async load(bindingId: string): Promise<Inventory | undefined> {
    const live = await this.manager.get(this.id(bindingId));
    const text = (live?.data as Record<string, string> | undefined)?.inventory;
    if (text === undefined) return undefined;
    return storedSchema.parse(JSON.parse(text)) as Inventory;
  }

  async save(inventory: Inventory): Promise<void> {
    const desired = this.configMap(inventory);
    const live = await this.manager.get(this.id(inventory.bindingId));
    if (live && isDeepStrictEqual(live.data, desired.data)) return;
    await this.manager.serverSideApply(desired);
  }

  async remove(bindingId: string): Promise<void> {
    await this.manager.remove(this.id(bindingId));
  }

  async list(): Promise<string[]> {
    const path = await this.manager.discovery.pathOf({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      namespace: this.namespace,
    });
    const answer = await this.manager.client.request<{ items: KubeObject[] }>({
      method: 'GET',
      path,
      query: { labelSelector: INVENTORY_LABEL },
    });
    return answer.items
      .map((item) => item.metadata.labels?.[INVENTORY_LABEL])
      .filter((id): id is string => !!id);
  }

  private id(bindingId: string): ObjectId {
    return {
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      namespace: this.namespace,
      name: inventoryName(bindingId),
    };
  }

  private configMap(inventory: Inventory): KubeObject {
    const stored = storedSchema.parse(inventory);
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: inventoryName(inventory.bindingId),
        namespace: this.namespace,
        labels: { [INVENTORY_LABEL]: inventory.bindingId },
      },
      data: { inventory: JSON.stringify(stored) },
    };
  }
}

/** `flotilla-inventory-<bindingId>`, or a digest of the id when that is not a valid object name. */
export function inventoryName(bindingId: string): string {
  const name = `flotilla-inventory-${bindingId}`;
  if (dnsSubdomainProblem(name) === undefined) return name;
  return `flotilla-inventory-${createHash('sha256').update(bindingId).digest('hex').slice(0, 40)}`;
}
