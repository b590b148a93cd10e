import { BINDING_LABEL, type ObjectId } from '@flotilla/manifests';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER, type Logger, type ResourceManager } from '../reconcile/index.js';
import { backoffDelay } from './backoff.js';

/** What a watch event carries: an object, a bookmark (metadata only) or, for ERROR, a Status. */
interface WatchedObject {
  code?: number;
  metadata?: {
    resourceVersion?: string;
    labels?: Record<string, string>;
    managedFields?: { manager?: string; time?: string }[];
  };
}

/** One watched collection: a kind, in one namespace (or cluster-wide for cluster-scoped kinds). */
type Scope = Pick<ObjectId, 'group' | 'version' | 'kind' | 'namespace'>;

export interface DriftWatchesOptions {
  /** The agent's kubeconfig (credentials and TLS of the watch connections). */
  kubeConfig: KubeConfig;
  /** For discovery and the list that gives each watch its starting point. */
  manager: ResourceManager;
  /** Something changed or deleted an object of this binding, or events may have been missed. */
  onDrift: (bindingId: string) => void;
  logger: Logger;
  backoff?: { baseMs: number; maxMs: number };
  /** How long the API server keeps one watch request open before the watch resumes with a new one. */
  watchTimeoutSeconds?: number;
}

const scopeKey = (scope: Scope) => [scope.group, scope.version, scope.kind, scope.namespace ?? ''].join('|');

/** A watch that ends this soon after it started, without an event, counts as a failure (no hot loop). */
const MIN_HEALTHY_WATCH_MS = 1_000;

/**
 * Watch-triggered drift detection: one watch per kind and namespace that some binding's
 * inventory uses, shared by all bindings, selecting objects carrying the binding label. A
 * change or deletion of a binding's object calls `onDrift(bindingId)`; Flotilla's own
 * writes come through too, and cost one zero-write reconcile. Watches resume from the last
 * resource version they saw, so a dropped connection loses nothing; when that version has
 * expired, every binding of the watch is reported as possibly drifted.
 */
export class DriftWatches {
  private readonly scopesOf = new Map<string, Set<string>>();
  private readonly watches = new Map<string, ScopeWatch>();
  private stopped = false;

  constructor(private readonly options: DriftWatchesOptions) {}

  /** Watches the collections of `objects` for `bindingId`, replacing what it watched before. */
  watch(bindingId: string, objects: readonly ObjectId[]): void {
    if (this.stopped) return;
    const scopes = new Map(
      objects.map(({ group, version, kind, namespace }): [string, Scope] => {
        const scope = { group, version, kind, namespace };
        return [scopeKey(scope), scope];
      }),
    );
    this.scopesOf.set(bindingId, new Set(scopes.keys()));
    for (const [key, scope] of scopes) {
      if (this.watches.has(key)) continue;
      const watch = new ScopeWatch(scope, this.options, () => this.bindingsOf(key));
      this.watches.set(key, watch);
      watch.start();
    }
    this.stopUnused();
  }

  forget(bindingId: string): void {
    this.scopesOf.delete(bindingId);
    this.stopUnused();
  }

  /** How many collections are being watched. */
  get size(): number {
    return this.watches.size;
  }

  stop(): void {
    this.stopped = true;
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
    this.scopesOf.clear();
  }

  private bindingsOf(key: string): string[] {
    return [...this.scopesOf].filter(([, keys]) => keys.has(key)).map(([bindingId]) => bindingId);
  }

  private stopUnused(): void {
    const used = new Set([...this.scopesOf.values()].flatMap((keys) => [...keys]));
    for (const [key, watch] of this.watches) {
      if (used.has(key)) continue;
      watch.stop();
      this.watches.delete(key);
    }
  }
}

/** One collection's list-then-watch loop, restarted with backoff when it fails. */
class ScopeWatch {
  private resourceVersion: string | undefined;
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly scope: Scope,
    private readonly options: DriftWatchesOptions,
    private readonly bindings: () => string[],
  ) {}

  start(): void {
    void this.run(false);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  private async run(gap: boolean): Promise<void> {
    const started = Date.now();
    const { manager, kubeConfig } = this.options;
    try {
      const path = await manager.discovery.pathOf(this.scope);
      if (this.resourceVersion === undefined) {
        // Start where the collection is now: the binding was just reconciled against it.
        const list = await manager.client.request<{ metadata: { resourceVersion?: string } }>({
          method: 'GET',
          path,
          query: { labelSelector: BINDING_LABEL, limit: '1' },
        });
        this.resourceVersion = list.metadata.resourceVersion;
        if (gap) for (const bindingId of this.bindings()) this.options.onDrift(bindingId);
      }
      if (this.stopped) return;
      const abort = await new Watch(kubeConfig).watch(
        path,
        {
          labelSelector: BINDING_LABEL,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: this.options.watchTimeoutSeconds ?? 25,
        },
        (type: string, object: WatchedObject) => this.event(type, object),
        (error: unknown) => this.ended(error, started),
      );
      if (this.stopped) abort.abort();
      else this.abort = abort;
    } catch (error) {
      this.ended(error, started);
    }
  }

  private event(type: string, object: WatchedObject): void {
    this.failures = 0;
    if (type === 'ERROR') {
      // 410 Gone: our resource version is too old to resume from; list again.
      if (object.code === 410) this.resourceVersion = undefined;
      return;
    }
    this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
    if (type !== 'MODIFIED' && type !== 'DELETED') return;
    if (type === 'MODIFIED' && writtenLastByFlotilla(object)) return;
    const bindingId = object.metadata?.labels?.[BINDING_LABEL];
    if (bindingId && this.bindings().includes(bindingId)) this.options.onDrift(bindingId);
  }

  private ended(error: unknown, started: number): void {
    if (this.stopped) return;
    this.abort = undefined;
    // The client ends a watch that was quiet for 30 s with a TimeoutError: a normal end.
    const failed = !!error && (error as Error).name !== 'TimeoutError';
    if (failed || Date.now() - started < MIN_HEALTHY_WATCH_MS) this.failures++;
    if (failed)
      this.options.logger.debug(
        { kind: this.scope.kind, namespace: this.scope.namespace, err: (error as Error).message },
        'watch failed; restarting',
      );
    const delay =
      this.failures === 0
        ? 0
        : backoffDelay(this.failures, this.options.backoff ?? { baseMs: 250, maxMs: 30_000 });
    this.timer = setTimeout(() => void this.run(this.resourceVersion === undefined), delay);
  }
}

/**
 * True when Flotilla's field manager wrote the object strictly after every other manager: the
 * event is the echo of our own apply. Timestamps have one-second resolution, so a tie counts
 * as someone else's change (one zero-write reconcile too many rather than drift missed).
 */
function writtenLastByFlotilla(object: WatchedObject): boolean {
  const entries = object.metadata?.managedFields ?? [];
  const timeOf = (entry: { time?: string }) => (entry.time ? Date.parse(entry.time) : Number.NaN);
  const ours = Math.max(...entries.filter((e) => e.manager === FIELD_MANAGER).map(timeOf));
  const others = entries.filter((e) => e.manager !== FIELD_MANAGER).map(timeOf);
  return Number.isFinite(ours) && others.every((time) => time < ours);
}
