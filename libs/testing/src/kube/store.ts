/**
 * Object storage of one instance: objects by group/resource and namespace/name, one
 * resourceVersion counter, a bounded history of changes (so a watch can resume from a
 * resourceVersion) and the fan-out of changes to open watches.
 */
import { KubeObject } from './types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  type: ChangeType;
  /** `group/resource` */
  gr: string;
  object: KubeObject;
  /** The object before the change (MODIFIED). */
  old?: KubeObject;
}

export interface WatchSink {
  gr: string;
  namespace?: string;
  onChange(change: Change, json: () => string): void;
  close(): void;
}

/** How many changes a watch can resume across (older: 410 Expired, as after compaction). */
const HISTORY = 4096;

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class ObjectStore {
  private rv = 1;
  private owned = 0;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly history: Change[] = [];
  private historyStart = 0;
  private readonly sinks = new Map<string, Set<WatchSink>>();

  get resourceVersion(): number {
    return this.rv;
  }

  /** Lowest resourceVersion a watch can still start from. */
  get oldestResumable(): number {
    return this.history.length ? this.history[this.historyStart].rv - 1 : this.rv;
  }

  private bucket(gr: string): Map<string, KubeObject> {
    let b = this.buckets.get(gr);
    if (!b) this.buckets.set(gr, (b = new Map()));
    return b;
  }

  get(gr: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(gr)?.get(objectKey(namespace, name));
  }

  /** Objects of a kind (in one namespace or all), sorted by namespace/name. */
  list(gr: string, namespace?: string): KubeObject[] {
    const b = this.buckets.get(gr);
    if (!b) return [];
    const out: KubeObject[] = [];
    for (const obj of b.values()) if (!namespace || obj.metadata?.namespace === namespace) out.push(obj);
    out.sort((a, c) => compareKeys(a, c));
    return out;
  }

  /** Objects of a kind (in one namespace or all), unsorted: cheaper than list() for scans. */
  *scan(gr: string, namespace?: string): IterableIterator<KubeObject> {
    const b = this.buckets.get(gr);
    if (!b) return;
    for (const obj of b.values()) if (!namespace || obj.metadata?.namespace === namespace) yield obj;
  }

  /** Whether a kind has any object (in a namespace). */
  hasAny(gr: string, namespace?: string): boolean {
    for (const _ of this.scan(gr, namespace)) return true;
    return false;
  }

  /** How many stored objects carry ownerReferences (garbage collection skips its scan at 0). */
  get ownedObjects(): number {
    return this.owned;
  }

  count(gr: string): number {
    return this.buckets.get(gr)?.size ?? 0;
  }

  /** Every stored kind (group/resource) that has objects. */
  kinds(): string[] {
    return [...this.buckets.keys()].filter((k) => this.buckets.get(k)!.size > 0);
  }

  /** Stores a new or changed object, stamping a new resourceVersion. */
  put(gr: string, obj: KubeObject): KubeObject {
    const meta = obj.metadata!;
    const key = objectKey(meta.namespace, meta.name!);
    const b = this.bucket(gr);
    const old = b.get(key);
    meta.resourceVersion = String(++this.rv);
    b.set(key, obj);
    this.owned += (meta.ownerReferences?.length ? 1 : 0) - (old?.metadata?.ownerReferences?.length ? 1 : 0);
    this.emit({ rv: this.rv, type: old ? 'MODIFIED' : 'ADDED', gr, object: obj, old });
    return obj;
  }

  remove(gr: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const b = this.buckets.get(gr);
    const key = objectKey(namespace, name);
    const old = b?.get(key);
    if (!old) return undefined;
    b!.delete(key);
    if (old.metadata?.ownerReferences?.length) this.owned--;
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ rv: this.rv, type: 'DELETED', gr, object: gone, old });
    return gone;
  }

  /** Removes a whole kind (its CRD was deleted), emitting DELETED for each object. */
  dropKind(gr: string): void {
    for (const obj of this.list(gr)) this.remove(gr, obj.metadata?.namespace, obj.metadata!.name!);
    this.buckets.delete(gr);
  }

  private emit(change: Change): void {
    if (this.history.length - this.historyStart >= HISTORY) {
      this.historyStart++;
      if (this.historyStart > HISTORY) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    this.history.push(change);
    const sinks = this.sinks.get(change.gr);
    if (!sinks?.size) return;
    let json: string | undefined;
    const lazy = () => (json ??= JSON.stringify(change.object));
    for (const sink of [...sinks]) {
      if (sink.namespace && change.object.metadata?.namespace !== sink.namespace) continue;
      sink.onChange(change, lazy);
    }
  }

  /** Changes of a kind after `rv`, or undefined when `rv` is older than the kept history. */
  changesSince(gr: string, rv: number): Change[] | undefined {
    if (rv < this.oldestResumable) return undefined;
    const out: Change[] = [];
    for (let i = this.historyStart; i < this.history.length; i++) {
      const c = this.history[i];
      if (c.rv > rv && c.gr === gr) out.push(c);
    }
    return out;
  }

  subscribe(sink: WatchSink): () => void {
    let set = this.sinks.get(sink.gr);
    if (!set) this.sinks.set(sink.gr, (set = new Set()));
    set.add(sink);
    return () => {
      set.delete(sink);
    };
  }

  /** Ends every open watch (the failure injector's dropped watches, and stop()). */
  closeAllWatches(): void {
    for (const set of this.sinks.values()) for (const sink of [...set]) sink.close();
  }
}

function compareKeys(a: KubeObject, b: KubeObject): number {
  const na = a.metadata?.namespace ?? '';
  const nb = b.metadata?.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  const ma = a.metadata?.name ?? '';
  const mb = b.metadata?.name ?? '';
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}
