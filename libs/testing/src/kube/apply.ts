/**
 * Server-side apply and managedFields tracking (after structured-merge-diff's Updater):
 * - Apply: the applied configuration is merged over the live object; fields it changes that
 *   another manager owns are conflicts (409) unless forced (then ownership moves); the applier
 *   then owns exactly the fields of its configuration, and fields it owned before but left
 *   out are removed from the object unless another manager still owns them.
 * - Update (create, PUT, non-apply patches): the manager gains the fields it changed, other
 *   managers lose them.
 */
import { StatusError } from './errors.js';
import { FieldSet, formatPath } from './fieldpath.js';
import { SchemaNode } from './schema.js';
import { compare, extractItems, merge, removeItems, toFieldSet } from './structured.js';
import { isPlainObject, jsonEqual, KubeObject, ManagedFieldsEntry, nowTimestamp } from './types.js';

type Obj = Record<string, unknown>;

export interface FieldManagerContext {
  schema: SchemaNode;
  /** apiVersion of the request (recorded with Update entries). */
  apiVersion: string;
  /** `status` when the request addresses the status subresource. */
  subresource?: string;
  /** The kind has a status subresource: the main endpoint ignores status. */
  statusSubresource: boolean;
}

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Metadata fields the field manager never tracks. */
const STRIPPED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
]);

function managerKey(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([
    m.manager,
    m.operation,
    m.operation === 'Update' ? m.apiVersion : '',
    m.subresource ?? '',
  ]);
}

function decode(entries: ManagedFieldsEntry[] | undefined): Map<string, Manager> {
  const out = new Map<string, Manager>();
  for (const e of entries ?? []) {
    if (!e || !e.manager) continue;
    const m: Manager = {
      manager: e.manager,
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource || undefined,
      time: e.time,
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    out.set(managerKey(m), m);
  }
  return out;
}

function encode(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const m of managers.values()) {
    if (m.set.isEmpty()) continue;
    out.push({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: 'FieldsV1',
      fieldsV1: m.set.toFieldsV1(),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    });
  }
  return out;
}

/** The part of an object the field manager tracks at this endpoint. */
function trackedView(obj: Obj | undefined, ctx: FieldManagerContext): Obj {
  if (!obj) return { metadata: {} };
  if (ctx.subresource === 'status') return obj.status === undefined ? {} : { status: obj.status };
  const view: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || (k === 'status' && ctx.statusSubresource)) continue;
    if (k === 'metadata') continue;
    view[k] = v;
  }
  const meta: Obj = {};
  if (isPlainObject(obj.metadata))
    for (const [k, v] of Object.entries(obj.metadata)) if (!STRIPPED_META.has(k)) meta[k] = v;
  return { metadata: meta, ...view };
}

/** Puts the untracked parts of `full` around a tracked view. */
function restore(full: Obj, view: Obj, ctx: FieldManagerContext): Obj {
  if (ctx.subresource === 'status') {
    const out = { ...full };
    if (view.status === undefined) delete out.status;
    else out.status = view.status;
    return out;
  }
  const meta: Obj = {};
  const fullMeta = isPlainObject(full.metadata) ? full.metadata : {};
  for (const [k, v] of Object.entries(fullMeta))
    if (STRIPPED_META.has(k) && k !== 'managedFields') meta[k] = v;
  if (isPlainObject(view.metadata)) Object.assign(meta, view.metadata);
  const out: Obj = { apiVersion: full.apiVersion, kind: full.kind, metadata: meta };
  for (const [k, v] of Object.entries(view)) if (k !== 'metadata') out[k] = v;
  if (ctx.statusSubresource && full.status !== undefined) out.status = full.status;
  return out;
}

function conflictError(conflicts: [Manager, FieldSet][]): StatusError {
  const causes = [];
  for (const [m, set] of conflicts) {
    const who = `conflict with "${m.manager}"${m.operation === 'Update' ? ` using ${m.apiVersion}` : ''}`;
    for (const path of set.paths())
      causes.push({ reason: 'FieldManagerConflict', message: who, field: formatPath(path) });
  }
  let message: string;
  if (causes.length === 1) message = `Apply failed with 1 conflict: ${causes[0].message}: ${causes[0].field}`;
  else {
    const lines: string[] = [];
    for (const [m, set] of conflicts) {
      lines.push(`conflicts with "${m.manager}"${m.operation === 'Update' ? ` using ${m.apiVersion}` : ''}:`);
      for (const path of set.paths()) lines.push(`- ${formatPath(path)}`);
    }
    message = `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

function dropEmpty(managers: Map<string, Manager>): void {
  for (const [k, m] of managers) if (m.set.isEmpty()) managers.delete(k);
}

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined: the object is created).
 * Returns the new object with its managedFields; throws a 409 on conflicts unless `force`.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  config: KubeObject,
  ctx: FieldManagerContext & { manager: string; force: boolean },
): KubeObject {
  const managers = decode(live?.metadata?.managedFields);
  const now = nowTimestamp();
  const liveObj = (live ?? {}) as Obj;
  let merged: Obj;
  if (ctx.subresource === 'status') {
    merged = { ...liveObj };
    const status = merge(liveObj.status, (config as Obj).status, ctx.schema.fields?.status, false);
    if (status === undefined) delete merged.status;
    else merged.status = status;
  } else {
    merged = merge(liveObj, config, ctx.schema) as Obj;
    if (ctx.statusSubresource) {
      if (liveObj.status !== undefined) merged.status = liveObj.status;
      else delete merged.status;
    }
  }
  const liveView = trackedView(live as Obj | undefined, ctx);
  const mergedView = trackedView(merged, ctx);
  const appliedSet = toFieldSet(trackedView(config as Obj, ctx), ctx.schema);
  const key = managerKey({
    manager: ctx.manager,
    operation: 'Apply',
    apiVersion: ctx.apiVersion,
    subresource: ctx.subresource,
  });
  const last = managers.get(key)?.set;

  const cmp = compare(liveView, mergedView, ctx.schema);
  const changed = cmp.modified.union(cmp.added);
  const conflicts: [Manager, FieldSet][] = [];
  for (const [k, m] of managers) {
    if (k === key) continue;
    const c = m.set.intersection(changed);
    if (!c.isEmpty()) conflicts.push([m, c]);
  }
  if (conflicts.length && !ctx.force) throw conflictError(conflicts);
  for (const [m, c] of conflicts) {
    m.set = m.set.difference(c);
    m.time = now;
  }
  for (const m of managers.values()) m.set = m.set.difference(cmp.removed);
  const previous = managers.get(key);
  const entry: Manager = {
    manager: ctx.manager,
    operation: 'Apply',
    apiVersion: ctx.apiVersion,
    subresource: ctx.subresource,
    time:
      previous && previous.apiVersion === ctx.apiVersion && fieldSetsEqual(previous.set, appliedSet)
        ? previous.time
        : now,
    set: appliedSet,
  };
  managers.set(key, entry);

  let resultView = mergedView;
  if (last) {
    resultView = prune(mergedView, managers, last, ctx.schema);
    const removed = compare(liveView, resultView, ctx.schema).removed;
    for (const m of managers.values()) m.set = m.set.difference(removed);
  }
  dropEmpty(managers);
  const result = restore(merged, resultView, ctx) as KubeObject;
  result.metadata = { ...result.metadata, managedFields: encode(managers) };
  return result;
}

function prune(merged: Obj, managers: Map<string, Manager>, last: FieldSet, schema: SchemaNode): Obj {
  let pruned = (removeItems(merged, last.withNamedFieldsAsMembers(), schema) ?? {}) as Obj;
  let owned = new FieldSet();
  for (const m of managers.values()) owned = owned.union(m.set);
  const keep = extractItems(merged, owned, schema);
  if (keep !== undefined) pruned = merge(pruned, keep, schema) as Obj;
  const dangling = toFieldSet(merged, schema).difference(toFieldSet(pruned, schema)).difference(last);
  const back = extractItems(merged, dangling, schema);
  if (back !== undefined) pruned = merge(pruned, back, schema) as Obj;
  if (!isPlainObject(pruned.metadata)) pruned = { metadata: {}, ...pruned };
  return pruned;
}

function fieldSetsEqual(a: FieldSet, b: FieldSet): boolean {
  return a.equals(b);
}

/**
 * Records a non-apply write (create, update, patch) by `manager`: it gains the fields it
 * changed, other managers lose them. Returns `updated` with its new managedFields.
 */
export function recordUpdate(
  live: KubeObject | undefined,
  updated: KubeObject,
  ctx: FieldManagerContext & { manager: string },
): KubeObject {
  const managers = decode(live?.metadata?.managedFields);
  const cmp = compare(
    trackedView(live as Obj | undefined, ctx),
    trackedView(updated as Obj, ctx),
    ctx.schema,
  );
  const changed = cmp.modified.union(cmp.added);
  const now = nowTimestamp();
  const key = managerKey({
    manager: ctx.manager,
    operation: 'Update',
    apiVersion: ctx.apiVersion,
    subresource: ctx.subresource,
  });
  for (const [k, m] of managers) {
    if (k === key) continue;
    const lost = m.set.intersection(changed);
    if (!lost.isEmpty()) {
      m.set = m.set.difference(lost);
      m.time = now;
    }
  }
  for (const m of managers.values()) m.set = m.set.difference(cmp.removed);
  if (!changed.isEmpty()) {
    const prev = managers.get(key);
    managers.set(key, {
      manager: ctx.manager,
      operation: 'Update',
      apiVersion: ctx.apiVersion,
      subresource: ctx.subresource,
      time: now,
      set: (prev?.set ?? new FieldSet()).union(changed).difference(cmp.removed),
    });
  }
  dropEmpty(managers);
  return { ...updated, metadata: { ...updated.metadata, managedFields: encode(managers) } };
}

/** Equal objects apart from managedFields timestamps (a no-op write must not bump resourceVersion). */
export function sameIgnoringManagedFieldTimes(a: KubeObject, b: KubeObject): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (k === 'metadata') continue;
    if (!(k in b) || !jsonEqual(a[k], b[k])) return false;
  }
  const am = a.metadata ?? {};
  const bm = b.metadata ?? {};
  const mkeys = Object.keys(am);
  if (mkeys.length !== Object.keys(bm).length) return false;
  for (const k of mkeys) {
    if (k === 'managedFields') continue;
    if (!(k in bm) || !jsonEqual(am[k], bm[k])) return false;
  }
  const af = am.managedFields ?? [];
  const bf = bm.managedFields ?? [];
  if (af.length !== bf.length) return false;
  for (let i = 0; i < af.length; i++) {
    const x = af[i];
    const y = bf[i];
    if (
      x.manager !== y.manager ||
      x.operation !== y.operation ||
      x.apiVersion !== y.apiVersion ||
      x.subresource !== y.subresource
    )
      return false;
    if (!jsonEqual(x.fieldsV1, y.fieldsV1)) return false;
  }
  return true;
}
