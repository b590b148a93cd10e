import {
  BundleError,
  normalise,
  objectId,
  objectKey,
  readBundle,
  sortForApply,
  sortForPrune,
  verifyBundle,
  type KubeObject,
  type ObjectId,
} from '@flotilla/manifests';
import { checkObjects, type TenantLimits } from '@flotilla/policy';
import type {
  BindingResult,
  BindingSpec,
  Durations,
  FailureReason,
  ObjectResult,
  SyncState,
} from './binding.js';
import type { ChangeSetEntry } from './changeset.js';
import { silentLogger, systemClock, type Clock, type Logger } from './clock.js';
import { observeObject } from './diff.js';
import { healthOf, worstHealth, type Health, type HealthStatus } from './health.js';
import { emptyInventory, nextInventory, staleEntries, stubObject, type Inventory } from './inventory.js';
import type { InventoryStore } from './inventory-store.js';
import { describeError } from './kube-errors.js';
import type { ResourceManager } from './resource-manager.js';
import { ensureTenantIdentity, tenantIdentity, type EnsuredIdentity } from './tenant-identity.js';

export interface ReconcileInput {
  binding: BindingSpec;
  /** The bundle's bytes as fetched, and the hub's signature over its digest. */
  bundle: { bytes: Uint8Array; signature: string };
  /** The tenant's limits on this cluster; undefined when no grant covers it (everything is refused). */
  limits: TenantLimits | undefined;
}

export interface ReconcilerParts {
  /** The agent's own access to the cluster; tenant access is derived from it by impersonation. */
  manager: ResourceManager;
  inventory: InventoryStore;
  /** Namespace of the agent: tenant ServiceAccounts live here. */
  agentNamespace: string;
  /** The hub's bundle-signing public key (Ed25519, PEM or base64 DER). */
  bundlePublicKey: string;
  health?: (live: KubeObject | undefined) => Health;
  clock?: Clock;
  logger?: Logger;
  /**
   * Skips the policy pre-check. Exists only for tests that prove the API server itself
   * refuses a tenant's out-of-grant objects under impersonation; never set in production.
   */
  skipPolicyPreCheckForTests?: boolean;
}

/** A pipeline step failed as a whole; carries its named reason and any per-object results. */
class StepFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly entries: ChangeSetEntry[] = [],
  ) {
    super(message);
  }
}

const isCrd = (object: KubeObject) =>
  object.kind === 'CustomResourceDefinition' && object.apiVersion.startsWith('apiextensions.k8s.io/');

/**
 * Reconciles bindings one at a time as a straight pipeline (after kustomize-controller):
 * verify bundle → policy pre-check → tenant identity → apply in order → prune → health,
 * each step failing with its own reason. Never throws: every outcome is a BindingResult,
 * and one binding's failure does not affect the next. Holds no module-level state, so many
 * reconcilers (one per simulated agent) can share a process.
 */
export class Reconciler {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly health: (live: KubeObject | undefined) => Health;

  constructor(private readonly parts: ReconcilerParts) {
    this.clock = parts.clock ?? systemClock;
    this.logger = parts.logger ?? silentLogger;
    this.health = parts.health ?? healthOf;
  }

  async reconcileAll(inputs: readonly ReconcileInput[]): Promise<BindingResult[]> {
    const results: BindingResult[] = [];
    for (const input of inputs) results.push(await this.reconcile(input));
    return results;
  }

  async reconcile(input: ReconcileInput): Promise<BindingResult> {
    const started = this.clock.now();
    const { binding } = input;
    let previous: Inventory | undefined;
    try {
      previous = await step('InventoryFailed', () => this.parts.inventory.load(binding.bindingId));
      previous ??= emptyInventory(binding.bindingId, binding.tenant);
      return await this.sync(input, previous, started);
    } catch (error) {
      const failure = asStepFailure(error);
      this.logger.warn(
        { bindingId: binding.bindingId, reason: failure.reason, err: failure.message },
        'reconcile failed',
      );
      return this.result(binding.bindingId, previous, failure.entries, {
        syncState: 'Failed',
        reason: failure.reason,
        message: failure.message,
        durations: { totalMs: this.clock.now() - started },
      });
    }
  }

  /**
   * Removes a binding that left the assignment: prunes everything in its inventory (unless
   * `orphan`), then deletes the inventory. Objects that could not be deleted stay in it.
   */
  async removeBinding(bindingId: string, options: { orphan?: boolean } = {}): Promise<BindingResult> {
    const started = this.clock.now();
    let inventory: Inventory | undefined;
    try {
      inventory = await step('InventoryFailed', () => this.parts.inventory.load(bindingId));
      if (!inventory) return this.result(bindingId, undefined, [], this.outcome(started, 'Synced'));
      const { entries, kept } = options.orphan
        ? { entries: [], kept: [] }
        : await this.prune(inventory.entries, inventory.bindingId, inventory.tenant);
      if (kept.length === 0) {
        await step('InventoryFailed', () => this.parts.inventory.remove(bindingId));
        return this.result(bindingId, undefined, entries, this.outcome(started, 'Synced'));
      }
      const remaining = { ...inventory, entries: kept };
      await step('InventoryFailed', () => this.parts.inventory.save(remaining));
      return this.result(bindingId, undefined, entries, {
        ...this.outcome(started, 'Failed'),
        reason: 'PruneFailed',
        message: `${kept.length} object(s) could not be deleted`,
      });
    } catch (error) {
      const failure = asStepFailure(error);
      return this.result(bindingId, inventory, [], {
        ...this.outcome(started, 'Failed'),
        reason: failure.reason,
        message: failure.message,
      });
    }
  }

  private async sync(input: ReconcileInput, previous: Inventory, started: number): Promise<BindingResult> {
    const { binding, limits } = input;
    // (1) Only the exact bytes the hub signed for this binding are ever applied.
    const desired = this.verify(input);
    // (2) Refuse the whole bundle before touching the cluster if any object is outside the grant.
    this.preCheck(desired, limits);

    const stale = staleEntries(previous, desired);
    if (!this.shouldApply(binding, previous, stale))
      return this.observe(binding, desired, previous, stale, started);

    // (3) The identity tenant objects are applied as.
    const ensured = await step('TenantIdentityFailed', () =>
      ensureTenantIdentity(this.parts.manager, {
        agentNamespace: this.parts.agentNamespace,
        tenant: binding.tenant,
        limits,
        objects: desired,
      }),
    );
    // (4) Apply in dependency order; per-object failures are reported, the others go on.
    const applyStarted = this.clock.now();
    const applyEntries = await this.applyAll(binding, desired, ensured);
    const applyFailed = applyEntries.filter((entry) => entry.action === 'failed');
    const durations: Durations = { totalMs: 0, applyMs: this.clock.now() - applyStarted };

    // (5) Prune what left Git — only after a clean apply, as a half-applied revision is no basis for deleting.
    const pruneStarted = this.clock.now();
    const pruned =
      applyFailed.length === 0 && binding.syncPolicy.prune
        ? await this.prune(stale, binding.bindingId, binding.tenant)
        : { entries: [], kept: stale };
    if (pruned.entries.length > 0) durations.pruneMs = this.clock.now() - pruneStarted;

    const applied =
      applyFailed.length === 0 ? { digest: binding.bundleDigest, commit: binding.commit } : undefined;
    const inventory = nextInventory(previous, desired, pruned.kept, applied);
    await step('InventoryFailed', () => this.parts.inventory.save(inventory));

    // (6) + (7) Health of every object and the binding's result (see result()).
    const entries = [...applyEntries, ...pruned.entries];
    const pruneFailed = pruned.entries.filter((entry) => entry.action === 'failed');
    const failure: { reason?: FailureReason; message?: string } =
      applyFailed.length > 0
        ? { reason: 'ApplyFailed', message: summarise(applyFailed) }
        : pruneFailed.length > 0
          ? { reason: 'PruneFailed', message: summarise(pruneFailed) }
          : {};
    const syncState: SyncState = failure.reason ? 'Failed' : pruned.kept.length > 0 ? 'OutOfSync' : 'Synced';
    return this.result(binding.bindingId, inventory, entries, {
      syncState,
      ...failure,
      durations: { ...durations, totalMs: this.clock.now() - started },
    });
  }

  private verify({ binding, bundle }: ReconcileInput): KubeObject[] {
    const fail = (message: string) => new StepFailure('BundleVerificationFailed', message);
    if (!verifyBundle(bundle.bytes, binding.bundleDigest, bundle.signature, this.parts.bundlePublicKey))
      throw fail(`bundle does not match digest ${binding.bundleDigest} or its signature is invalid`);
    try {
      const parsed = readBundle(bundle.bytes);
      if (
        parsed.bindingId !== binding.bindingId ||
        parsed.tenant !== binding.tenant ||
        parsed.commit !== binding.commit
      )
        throw fail(
          `bundle was made for binding ${parsed.bindingId} of tenant ${parsed.tenant} at ${parsed.commit}`,
        );
      // Re-applying the ownership labels here makes prune safety independent of how the bundle was built.
      const sourced = parsed.objects.map((object, documentIndex) => ({
        object,
        source: { path: binding.bundleDigest, documentIndex, line: 1 },
      }));
      return normalise(sourced, {
        namespace: binding.namespace,
        ownership: { bindingId: binding.bindingId, tenant: binding.tenant, bindingName: binding.name },
      }).map(({ object }) => object);
    } catch (error) {
      if (error instanceof StepFailure) throw error;
      if (error instanceof BundleError || error instanceof RangeError) throw fail(describeError(error));
      throw error;
    }
  }

  private preCheck(desired: KubeObject[], limits: TenantLimits | undefined): void {
    if (this.parts.skipPolicyPreCheckForTests) return;
    const verdict = checkObjects(
      desired.map((object) => ({ object })),
      limits,
    );
    if (verdict.passed) return;
    const byKey = new Map(verdict.findings.map((finding) => [finding.object, finding.message]));
    const entries = desired
      .filter((object) => byKey.has(objectKey(object)))
      .map((object): ChangeSetEntry => ({
        id: objectId(object),
        action: 'failed',
        message: byKey.get(objectKey(object)),
      }));
    throw new StepFailure('PolicyViolation', summarise(entries), entries);
  }

  /**
   * Apply when a new bundle arrived (automated), on every pass with self-heal, or while
   * earlier prunes are still pending (they failed and must be retried); otherwise only report.
   */
  private shouldApply(binding: BindingSpec, previous: Inventory, stale: readonly ObjectId[]): boolean {
    const { automated, selfHeal, prune } = binding.syncPolicy;
    if (binding.suspended || !automated) return false;
    return selfHeal || previous.appliedDigest !== binding.bundleDigest || (prune && stale.length > 0);
  }

  private async observe(
    binding: BindingSpec,
    desired: KubeObject[],
    previous: Inventory,
    stale: readonly ObjectId[],
    started: number,
  ): Promise<BindingResult> {
    const entries: ChangeSetEntry[] = [];
    // The dry run is a write request as far as RBAC goes: it runs as the tenant, like the apply it previews.
    for (const object of sortForApply(desired))
      entries.push(await observeObject(this.managerFor(object, binding.tenant), object));
    const inSync =
      previous.appliedDigest === binding.bundleDigest &&
      stale.length === 0 &&
      entries.every((e) => e.action === 'unchanged');
    return this.result(
      binding.bindingId,
      previous,
      entries,
      this.outcome(started, inSync ? 'Synced' : 'OutOfSync'),
    );
  }

  private async applyAll(
    binding: BindingSpec,
    desired: KubeObject[],
    ensured: EnsuredIdentity,
  ): Promise<ChangeSetEntry[]> {
    const tenant = this.parts.manager.as(ensured.identity);
    const done = new Map(ensured.namespaceEntries.map((entry) => [objectKey(entry.id), entry]));
    const entries: ChangeSetEntry[] = [];
    for (const object of sortForApply(desired)) {
      let entry =
        done.get(objectKey(object)) ?? (await tenant.apply(object, { recreate: binding.syncPolicy.force }));
      if (isCrd(object) && entry.action !== 'failed') {
        // Custom resources sort after their CRD; they can only be applied once it is served.
        try {
          await this.parts.manager.waitForEstablished(object);
        } catch (error) {
          entry = { ...entry, action: 'failed', message: describeError(error) };
        }
      }
      entries.push(entry);
    }
    return entries;
  }

  /** Deletes inventory entries (reverse apply order); failed ones are returned as `kept` for the next try. */
  private async prune(
    ids: readonly ObjectId[],
    bindingId: string,
    tenant: string,
  ): Promise<{ entries: ChangeSetEntry[]; kept: ObjectId[] }> {
    const entries: ChangeSetEntry[] = [];
    for (const stub of sortForPrune(ids.map(stubObject))) {
      const entry = await this.managerFor(stub, tenant).delete(objectId(stub), { bindingId });
      if (entry.action === 'skipped')
        this.logger.info({ bindingId, object: objectKey(entry.id), why: entry.message }, 'prune skipped');
      entries.push(entry);
    }
    return { entries, kept: entries.filter((entry) => entry.action === 'failed').map((entry) => entry.id) };
  }

  /**
   * Who acts on an existing object of a tenant: the tenant's identity, except for Namespaces,
   * which the agent itself creates and deletes (see tenant-identity.ts).
   */
  private managerFor(object: KubeObject, tenant: string): ResourceManager {
    if (object.apiVersion === 'v1' && object.kind === 'Namespace') return this.parts.manager;
    return this.parts.manager.as(tenantIdentity(this.parts.agentNamespace, tenant));
  }

  private outcome(started: number, syncState: SyncState): { syncState: SyncState; durations: Durations } {
    return { syncState, durations: { totalMs: this.clock.now() - started } };
  }

  private result(
    bindingId: string,
    inventory: Inventory | undefined,
    entries: readonly ChangeSetEntry[],
    outcome: { syncState: SyncState; reason?: FailureReason; message?: string; durations: Durations },
  ): BindingResult {
    const healthStarted = this.clock.now();
    const objects = entries.flatMap((entry) => {
      const result = this.objectResult(entry);
      return result ? [result] : [];
    });
    const health = worstHealth(objects.filter((o) => o.action !== 'pruned').map((o) => o.health));
    const durations = { ...outcome.durations };
    if (objects.length > 0) durations.healthMs = this.clock.now() - healthStarted;
    return {
      bindingId,
      appliedDigest: inventory?.appliedDigest ?? null,
      commit: inventory?.commit ?? null,
      syncState: outcome.syncState,
      health,
      objects,
      ...(outcome.reason && { reason: outcome.reason }),
      ...(outcome.message && { message: outcome.message }),
      durations,
    };
  }

  private objectResult(entry: ChangeSetEntry): ObjectResult | undefined {
    if (entry.action === 'skipped') return undefined;
    const health: HealthStatus =
      entry.action === 'pruned'
        ? 'Missing'
        : entry.live
          ? this.health(entry.live).status
          : entry.action === 'failed'
            ? 'Unknown'
            : 'Missing';
    const { group, kind, namespace, name } = entry.id;
    return {
      group,
      kind,
      namespace: namespace ?? '',
      name,
      action: entry.action,
      health,
      ...(entry.message && { message: entry.message }),
      ...(entry.drift && entry.drift.length > 0 && { driftedFields: entry.drift.map((d) => d.path) }),
    };
  }
}

/** An error that escaped every step is a bug or an outage, still reported rather than thrown. */
function asStepFailure(error: unknown): StepFailure {
  return error instanceof StepFailure ? error : new StepFailure('ReconcileFailed', describeError(error));
}

/** Runs one step, turning any error into that step's named failure. */
async function step<T>(reason: FailureReason, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    throw new StepFailure(reason, describeError(error));
  }
}

function summarise(entries: readonly ChangeSetEntry[]): string {
  const first = entries.slice(0, 3).map((e) => `${e.id.kind}/${e.id.name}: ${e.message ?? e.action}`);
  const more = entries.length > 3 ? `; and ${entries.length - 3} more` : '';
  return `${entries.length} object(s) failed: ${first.join('; ')}${more}`;
}
