/**
 * Schema-aware walks over JSON objects, after sigs.k8s.io/structured-merge-diff: the field
 * set a value specifies, the comparison of two values, the apply merge, and removing or
 * extracting the parts of a value named by a field set.
 */
import { FieldSet, fieldPE, keyPE, valuePE } from './fieldpath.js';
import { childSchema, SchemaNode } from './schema.js';
import { isPlainObject, jsonEqual, cloneJson } from './types.js';

type Obj = Record<string, unknown>;

function listKind(schema: SchemaNode | undefined): 'atomic' | 'set' | 'map' {
  return schema?.listType ?? 'atomic';
}

/** The path element naming a list item, or undefined when the item cannot be keyed. */
export function listItemPE(schema: SchemaNode | undefined, item: unknown): string | undefined {
  const kind = listKind(schema);
  if (kind === 'set') return isPlainObject(item) || Array.isArray(item) ? undefined : valuePE(item);
  if (kind === 'map' && isPlainObject(item)) return keyPE(item, schema?.listMapKeys ?? []);
  return undefined;
}

function isGranularList(schema: SchemaNode | undefined, list: unknown[]): boolean {
  const kind = listKind(schema);
  if (kind === 'atomic') return false;
  return list.every((item) => listItemPE(schema, item) !== undefined);
}

/** The set of fields a value specifies (what an applier owns after applying it). */
export function toFieldSet(value: unknown, schema: SchemaNode | undefined): FieldSet {
  const set = new FieldSet();
  walkToSet(value, schema, set, true);
  return set;
}

function walkToSet(value: unknown, schema: SchemaNode | undefined, node: FieldSet, root: boolean): void {
  if (isPlainObject(value)) {
    if (schema?.atomic && !root) {
      node.member = true;
      return;
    }
    for (const key of Object.keys(value))
      walkToSet(value[key], childSchema(schema, key), node.child(fieldPE(key)), false);
    return;
  }
  if (Array.isArray(value)) {
    if (!isGranularList(schema, value)) {
      node.member = true;
      return;
    }
    for (const item of value) {
      const child = node.child(listItemPE(schema, item)!);
      if (isPlainObject(item)) walkToSet(item, schema?.items, child, false);
      child.member = true;
    }
    return;
  }
  if (!root) node.member = true;
}

/** Every path of a value, intermediate maps included (what "added" means for an update). */
function walkAll(value: unknown, schema: SchemaNode | undefined, node: FieldSet): void {
  node.member = true;
  if (isPlainObject(value)) {
    if (schema?.atomic) return;
    for (const key of Object.keys(value))
      walkAll(value[key], childSchema(schema, key), node.child(fieldPE(key)));
  } else if (Array.isArray(value) && isGranularList(schema, value)) {
    for (const item of value) walkAll(item, schema?.items, node.child(listItemPE(schema, item)!));
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compare(oldValue: unknown, newValue: unknown, schema: SchemaNode | undefined): Comparison {
  const result: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(oldValue, newValue, schema, [], result, true);
  return result;
}

function nodeAt(set: FieldSet, path: string[]): FieldSet {
  let node = set;
  for (const pe of path) node = node.child(pe);
  return node;
}

function compareAt(
  a: unknown,
  b: unknown,
  schema: SchemaNode | undefined,
  path: string[],
  out: Comparison,
  root: boolean,
): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) {
    walkAll(b, schema, nodeAt(out.added, path));
    if (root) out.added.member = false;
    return;
  }
  if (b === undefined) {
    walkAll(a, schema, nodeAt(out.removed, path));
    if (root) out.removed.member = false;
    return;
  }
  if (isPlainObject(a) && isPlainObject(b) && !(schema?.atomic && !root)) {
    for (const key of Object.keys(a))
      compareAt(a[key], b[key], childSchema(schema, key), [...path, fieldPE(key)], out, false);
    for (const key of Object.keys(b)) {
      if (!(key in a))
        compareAt(undefined, b[key], childSchema(schema, key), [...path, fieldPE(key)], out, false);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && isGranularList(schema, a) && isGranularList(schema, b)) {
    const bByPE = new Map<string, unknown>();
    for (const item of b) bByPE.set(listItemPE(schema, item)!, item);
    const seen = new Set<string>();
    for (const item of a) {
      const pe = listItemPE(schema, item)!;
      seen.add(pe);
      compareAt(item, bByPE.get(pe), schema?.items, [...path, pe], out, false);
    }
    for (const [pe, item] of bByPE)
      if (!seen.has(pe)) compareAt(undefined, item, schema?.items, [...path, pe], out, false);
    return;
  }
  if (!jsonEqual(a, b)) nodeAt(out.modified, path).member = true;
}

/**
 * The apply merge: `rhs` (the applied configuration) laid over `lhs` (the live object).
 * A null in rhs removes the field. Associative lists merge item by item, keeping the
 * relative order of both sides.
 */
export function merge(lhs: unknown, rhs: unknown, schema: SchemaNode | undefined, root = true): unknown {
  if (rhs === undefined) return lhs;
  if (rhs === null) return root ? lhs : undefined;
  if (lhs === undefined || lhs === null) return cloneJson(stripNulls(rhs));
  if (isPlainObject(lhs) && isPlainObject(rhs) && !(schema?.atomic && !root)) {
    const out: Obj = { ...lhs };
    for (const key of Object.keys(rhs)) {
      const v = merge(lhs[key], rhs[key], childSchema(schema, key), false);
      if (v === undefined) delete out[key];
      else out[key] = v;
    }
    return out;
  }
  if (
    Array.isArray(lhs) &&
    Array.isArray(rhs) &&
    isGranularList(schema, lhs) &&
    isGranularList(schema, rhs)
  ) {
    return mergeLists(lhs, rhs, schema, (l, r) => merge(l, r, schema?.items, false));
  }
  return cloneJson(stripNulls(rhs));
}

function stripNulls(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v);
  return out;
}

/** Ordered union of two keyed lists: items only on one side keep their place, shared ones merge. */
export function mergeLists(
  lhs: unknown[],
  rhs: unknown[],
  schema: SchemaNode | undefined,
  combine: (l: unknown, r: unknown) => unknown,
): unknown[] {
  const lPE = lhs.map((i) => listItemPE(schema, i)!);
  const rPE = rhs.map((i) => listItemPE(schema, i)!);
  const lBy = new Map<string, unknown>();
  lhs.forEach((item, i) => lBy.has(lPE[i]) || lBy.set(lPE[i], item));
  const rBy = new Map<string, unknown>();
  rhs.forEach((item, i) => rBy.has(rPE[i]) || rBy.set(rPE[i], item));
  const shared = rPE.filter((pe) => lBy.has(pe));
  const emitted = new Set<string>();
  const out: unknown[] = [];
  let li = 0;
  let ri = 0;
  let si = 0;
  const emit = (pe: string, value: unknown) => {
    emitted.add(pe);
    if (value !== undefined) out.push(value);
  };
  while (li < lhs.length || ri < rhs.length) {
    if (li < lhs.length) {
      const pe = lPE[li];
      if (emitted.has(pe)) {
        li++;
        continue;
      }
      if (!rBy.has(pe)) {
        emit(pe, lhs[li++]);
        continue;
      }
    }
    if (ri < rhs.length) {
      const pe = rPE[ri];
      if (emitted.has(pe)) {
        ri++;
        continue;
      }
      if (!lBy.has(pe)) {
        emit(pe, combine(undefined, rhs[ri++]));
        continue;
      }
    }
    while (si < shared.length && emitted.has(shared[si])) si++;
    if (si >= shared.length) break;
    const pe = shared[si++];
    emit(pe, combine(lBy.get(pe), rBy.get(pe)));
  }
  return out;
}

/** The value without every member path of `set` (a member removes its whole subtree). */
export function removeItems(value: unknown, set: FieldSet, schema: SchemaNode | undefined): unknown {
  if (!set.children) return value;
  if (isPlainObject(value)) {
    const out: Obj = { ...value };
    for (const [pe, child] of set.children) {
      if (!pe.startsWith('f:')) continue;
      const key = pe.slice(2);
      if (!(key in out)) continue;
      if (child.member) delete out[key];
      else out[key] = removeItems(out[key], child, childSchema(schema, key));
    }
    return out;
  }
  if (Array.isArray(value) && isGranularList(schema, value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const child = set.children.get(listItemPE(schema, item)!);
      if (!child) out.push(item);
      else if (!child.member) out.push(removeItems(item, child, schema?.items));
    }
    return out;
  }
  return value;
}

/** Only the parts of a value named by `set`; list items keep their key fields. */
export function extractItems(value: unknown, set: FieldSet, schema: SchemaNode | undefined): unknown {
  if (!set.children?.size) return set.member ? cloneJson(value) : undefined;
  if (isPlainObject(value)) {
    const out: Obj = {};
    let any = set.member;
    for (const key of Object.keys(value)) {
      const child = set.children.get(fieldPE(key));
      if (!child) continue;
      const v = extractItems(value[key], child, childSchema(schema, key));
      if (v !== undefined) {
        out[key] = v;
        any = true;
      }
    }
    return any ? out : undefined;
  }
  if (Array.isArray(value) && isGranularList(schema, value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const child = set.children.get(listItemPE(schema, item)!);
      if (!child) continue;
      let v = extractItems(item, child, schema?.items);
      if (isPlainObject(item)) {
        const keys: Obj = {};
        for (const k of schema?.listMapKeys ?? []) if (k in item) keys[k] = item[k];
        v = { ...keys, ...(isPlainObject(v) ? v : {}) };
      } else if (v === undefined) continue;
      out.push(v);
    }
    return out.length ? out : undefined;
  }
  return undefined;
}
