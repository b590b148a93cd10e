import type { AssignedBinding, Assignment } from '@flotilla/contracts';
import type { KubeConfig } from '@kubernetes/client-node';
import { AssignmentCache } from '../assignments/assignment-cache.js';
import { AssignmentSource } from '../assignments/assignment-source.js';
import { BundleSource } from '../assignments/bundle-source.js';
import { tenantLimits } from '../assignments/tenant-limits.js';
import type { AgentChannel } from '../connection/index.js';
import {
  silentLogger,
  systemClock,
  type BindingResult,
  type Clock,
  type InventoryStore,
  type Logger,
  type Reconciler,
  type ResourceManager,
} from '../reconcile/index.js';
import { bundleFetchFailed, toBindingStatus } from '../reporting/binding-status.js';
import { StatusSequence } from '../reporting/sequence.js';
import { StatusReporter } from '../reporting/status-reporter.js';
import { FileLocalStore, type LocalStore } from '../storage/local-store.js';
import { backoffDelay, jittered } from './backoff.js';
import { BindingScheduler } from './binding-scheduler.js';
import { DriftWatches } from './drift-watches.js';

/** What the runtime uses of the hub connection. */
export type HubLink = Pick<
  AgentChannel,
  'requestAssignment' | 'onNotify' | 'fetchBundle' | 'publishStatus' | 'status'
>;

export interface AgentRuntimeOptions {
  /** The agent's state directory (one per agent), or a LocalStore of its own. */
  state: { dir: string } | { store: LocalStore };
  reconciler: Pick<Reconciler, 'reconcile' | 'removeBinding'>;
  /** The reconciler's inventory store: which bindings exist on the cluster, which objects each owns. */
  inventory: InventoryStore;
  /** Watch-triggered drift detection; without it drift is found by the periodic resync only. */
  watch?: { kubeConfig: KubeConfig; manager: ResourceManager; backoff?: { baseMs: number; maxMs: number } };
  logger?: Logger;
  clock?: Clock;
  /** Every binding is reconciled again this often (jittered ±20 %). Default 60 s. */
  resyncIntervalMs?: number;
  /** The assignment is re-read this often, covering a missed notice (jittered ±20 %). Default 3 min. */
  pollIntervalMs?: number;
  /** Delay between a watch event and the binding's reconcile; events meanwhile share that run. Default 500 ms. */
  debounceMs?: number;
  /** Bindings reconciled at the same time. Default 4. */
  concurrency?: number;
}

interface Removal {
  /** Leave the binding's objects on the cluster (its sync policy did not prune). */
  orphan: boolean;
}

/**
 * The agent's loop around the reconciler: the current assignment (from the hub, or the local
 * cache while offline) → its bundles → one reconcile per binding → status reports. Bindings
 * are reconciled again when the assignment changes, when a watch sees their objects change,
 * on a periodic resync and after every reconnect. Reconciles of one binding never overlap;
 * one failing binding never holds up the others.
 *
 * Wiring: `const runtime = await AgentRuntime.open(options); await runtime.start();` and,
 * once the hub connection is up (and again for any new connection), `runtime.onConnected(channel)`.
 * Heartbeats take their `seq` from `runtime.sequence`, shared with status reports.
 */
export class AgentRuntime {
  private readonly source: AssignmentSource;
  private readonly bundles: BundleSource;
  private readonly scheduler: BindingScheduler;
  private readonly watches: DriftWatches | undefined;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly bindings = new Map<string, AssignedBinding>();
  private readonly removals = new Map<string, Removal>();
  private readonly fetchFailures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private link: HubLink | undefined;
  private stopped = false;

  private constructor(
    private readonly options: AgentRuntimeOptions,
    private readonly cache: AssignmentCache,
    private readonly reporter: StatusReporter,
    readonly sequence: StatusSequence,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.source = new AssignmentSource({
      cache,
      logger: this.logger,
      onAssignment: (assignment) => void this.assignmentChanged(assignment),
    });
    this.bundles = new BundleSource(cache);
    this.scheduler = new BindingScheduler(
      (bindingId) => this.sync(bindingId),
      (bindingId, error) =>
        this.logger.error({ bindingId, err: (error as Error).message }, 'binding sync failed'),
      options.concurrency,
    );
    this.watches =
      options.watch &&
      new DriftWatches({
        ...options.watch,
        logger: this.logger,
        onDrift: (bindingId) => {
          if (this.bindings.has(bindingId))
            this.scheduler.schedule(bindingId, this.options.debounceMs ?? 500);
        },
      });
  }

  /** Opens the agent's local state: cached assignment and bundles, queued reports, sequence. */
  static async open(options: AgentRuntimeOptions): Promise<AgentRuntime> {
    const store = 'store' in options.state ? options.state.store : new FileLocalStore(options.state.dir);
    const clock = options.clock ?? systemClock;
    const sequence = await StatusSequence.open(store, clock);
    const reporter = await StatusReporter.open({ store, sequence, logger: options.logger, clock });
    return new AgentRuntime(options, new AssignmentCache(store), reporter, sequence);
  }

  /** Revision of the assignment being enforced, null before the first one. */
  get assignmentRevision(): number | null {
    return this.source.current?.revision ?? null;
  }

  /** Statuses not yet published (the hub is unreachable). */
  get queuedReports(): number {
    return this.reporter.queued;
  }

  /** Starts enforcing the cached assignment (if any) and the periodic timers; needs no hub. */
  async start(): Promise<void> {
    await this.source.loadCached();
    this.every(this.options.resyncIntervalMs ?? 60_000, () => this.resyncAll());
    this.every(this.options.pollIntervalMs ?? 180_000, () => this.source.refresh());
  }

  /**
   * Uses `link` from now on: reads the assignment, listens for notices, publishes what was
   * queued and resyncs every binding — now and after each reconnect of this link. Called again
   * with the link it already follows (the agent greets the hub after every reconnect), it
   * changes nothing: the follower started the first time already resyncs on each reconnect,
   * and a second one would double every resync and never end.
   */
  async onConnected(link: HubLink): Promise<void> {
    if (this.stopped || link === this.link) return;
    this.link = link;
    this.bundles.attach(link);
    this.reporter.attach(link);
    void this.followReconnects(link);
    await this.resyncFromScratch(() => this.source.attach(link));
  }

  /** Ends timers, watches and notices, and waits for reconciles and publishes in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.source.detach();
    this.watches?.stop();
    await this.scheduler.stop();
    await this.reporter.idle();
  }

  /** Resyncs from scratch after every reconnect of `link`, until it closes or is replaced. */
  private async followReconnects(link: HubLink): Promise<void> {
    try {
      for await (const status of link.status()) {
        if (this.stopped || this.link !== link) return;
        if (status.type === 'reconnect') await this.resyncFromScratch(() => this.source.refresh());
      }
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'stopped following connection events');
    }
  }

  private async resyncFromScratch(readAssignment: () => Promise<void>): Promise<void> {
    void this.reporter.flush();
    await readAssignment();
    await this.resyncAll();
  }

  private async assignmentChanged(assignment: Assignment): Promise<void> {
    if (this.stopped) return;
    const next = new Map(assignment.bindings.map((binding) => [binding.bindingId, binding]));
    for (const [bindingId, previous] of this.bindings) {
      if (!next.has(bindingId)) this.removals.set(bindingId, { orphan: !previous.syncPolicy.prune });
    }
    for (const bindingId of next.keys()) this.removals.delete(bindingId);
    this.bindings.clear();
    for (const [bindingId, binding] of next) this.bindings.set(bindingId, binding);
    this.logger.info({ revision: assignment.revision, bindings: next.size }, 'enforcing assignment');
    await this.resyncAll();
    try {
      await this.cache.collectGarbage(new Set(assignment.bindings.map((binding) => binding.bundleDigest)));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'could not remove unused bundles');
    }
  }

  /** Schedules every assigned binding, and the removal of every binding left on the cluster. */
  private async resyncAll(): Promise<void> {
    if (this.stopped || !this.source.current) return;
    try {
      // Only an assignment the hub confirmed is complete enough to remove what it does not name.
      const onCluster = this.source.confirmedByHub ? await this.options.inventory.list() : [];
      for (const bindingId of onCluster) {
        // Left the assignment while no agent was looking: its sync policy is gone, so prune.
        if (!this.bindings.has(bindingId) && !this.removals.has(bindingId))
          this.removals.set(bindingId, { orphan: false });
      }
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'could not list inventories');
    }
    for (const bindingId of [...this.bindings.keys(), ...this.removals.keys()])
      this.scheduler.schedule(bindingId);
  }

  /** One binding's job: reconcile it, or remove it when it left the assignment. */
  private async sync(bindingId: string): Promise<void> {
    const assignment = this.source.current;
    const binding = this.bindings.get(bindingId);
    const removal = this.removals.get(bindingId);
    if (!assignment) return;
    if (binding) await this.reconcile(assignment, binding);
    else if (removal) await this.remove(assignment, bindingId, removal);
  }

  private async reconcile(assignment: Assignment, binding: AssignedBinding): Promise<void> {
    const started = this.clock.now();
    let bundle;
    try {
      bundle = await this.bundles.get(binding.bundleDigest);
      this.fetchFailures.delete(binding.bindingId);
    } catch (error) {
      await this.bundleMissing(assignment, binding, (error as Error).message, this.clock.now() - started);
      return;
    }
    const result = await this.options.reconciler.reconcile({
      binding,
      bundle,
      limits: tenantLimits(assignment, binding.tenant),
    });
    await this.report(result, assignment.revision);
    await this.watchInventory(binding.bindingId);
  }

  /** Reports the failure and retries with backoff (the cluster keeps what it last applied). */
  private async bundleMissing(
    assignment: Assignment,
    binding: AssignedBinding,
    message: string,
    elapsedMs: number,
  ): Promise<void> {
    const failures = (this.fetchFailures.get(binding.bindingId) ?? 0) + 1;
    this.fetchFailures.set(binding.bindingId, failures);
    const inventory = await this.options.inventory.load(binding.bindingId).catch(() => undefined);
    const applied =
      inventory?.appliedDigest && inventory.commit
        ? { digest: inventory.appliedDigest, commit: inventory.commit }
        : undefined;
    await this.reporter.report(
      [bundleFetchFailed(binding, applied, message, elapsedMs)],
      assignment.revision,
    );
    const retryMs = backoffDelay(failures, { baseMs: 1_000, maxMs: this.options.resyncIntervalMs ?? 60_000 });
    this.scheduler.schedule(binding.bindingId, retryMs);
  }

  private async remove(assignment: Assignment, bindingId: string, removal: Removal): Promise<void> {
    const result = await this.options.reconciler.removeBinding(bindingId, removal);
    await this.report(result, assignment.revision);
    // A failed removal stays pending and is retried on the next resync.
    if (result.syncState !== 'Synced') return;
    this.removals.delete(bindingId);
    this.fetchFailures.delete(bindingId);
    this.watches?.forget(bindingId);
  }

  private async report(result: BindingResult, revision: number): Promise<void> {
    await this.reporter.report([toBindingStatus(result)], revision);
  }

  /** Points the drift watches at the objects the binding now owns. */
  private async watchInventory(bindingId: string): Promise<void> {
    if (!this.watches) return;
    try {
      const inventory = await this.options.inventory.load(bindingId);
      this.watches.watch(bindingId, inventory?.entries ?? []);
    } catch (error) {
      // The next reconcile tries again; the periodic resync covers drift meanwhile.
      this.logger.warn({ bindingId, err: (error as Error).message }, 'could not read inventory to watch');
    }
  }

  /** Runs `task` every `intervalMs` (jittered), never overlapping, until stopped. */
  private every(intervalMs: number, task: () => Promise<void>): void {
    const arm = () => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void task()
          .catch((error: unknown) =>
            this.logger.error({ err: (error as Error).message }, 'periodic task failed'),
          )
          .finally(arm);
      }, jittered(intervalMs));
      this.timers.add(timer);
    };
    arm();
  }
}
