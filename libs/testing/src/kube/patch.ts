/** JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes strategic merge patch. */
import { StatusError } from './errors.js';
import { childSchema, patchMergeKey, SchemaNode } from './schema.js';
import { cloneJson, isPlainObject, jsonEqual } from './types.js';

type Obj = Record<string, unknown>;

function patchError(message: string): StatusError {
  return new StatusError(422, 'Invalid', message);
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const out: Obj = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Located {
  parent: Obj | unknown[];
  key: string;
}

function locate(doc: unknown, tokens: string[], op: string): Located {
  let node: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    if (Array.isArray(node)) node = node[Number(t)];
    else if (isPlainObject(node)) node = node[t];
    else node = undefined;
    if (node === undefined)
      throw patchError(`${op} operation does not apply: doc is missing path: /${tokens.join('/')}`);
  }
  if (!Array.isArray(node) && !isPlainObject(node)) {
    throw patchError(`${op} operation does not apply: doc is missing path: /${tokens.join('/')}`);
  }
  return { parent: node, key: tokens[tokens.length - 1] };
}

function getAt(doc: unknown, tokens: string[]): unknown {
  let node = doc;
  for (const t of tokens) {
    if (Array.isArray(node)) node = node[Number(t)];
    else if (isPlainObject(node)) node = node[t];
    else return undefined;
  }
  return node;
}

function arrayIndex(arr: unknown[], key: string, forInsert: boolean): number {
  if (key === '-' && forInsert) return arr.length;
  if (!/^\d+$/.test(key)) throw patchError(`invalid array index "${key}"`);
  const i = Number(key);
  if (i > arr.length || (!forInsert && i === arr.length)) throw patchError(`array index ${i} out of bounds`);
  return i;
}

function addAt(doc: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, 'add');
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
  return doc;
}

function removeAt(doc: unknown, tokens: string[]): unknown {
  const { parent, key } = locate(doc, tokens, 'remove');
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1);
  else {
    if (!(key in parent))
      throw patchError(`remove operation does not apply: doc is missing path: /${tokens.join('/')}`);
    delete parent[key];
  }
  return doc;
}

export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw new StatusError(400, 'BadRequest', 'json patch must be a list of operations');
  let doc = cloneJson(target);
  for (const raw of ops) {
    if (!isPlainObject(raw)) throw patchError('invalid json patch operation');
    const op = String(raw.op);
    const path = decodePointer(String(raw.path ?? ''));
    switch (op) {
      case 'add':
        doc = addAt(doc, path, cloneJson(raw.value));
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        if (getAt(doc, path) === undefined)
          throw patchError(`replace operation does not apply: doc is missing key: /${path.join('/')}`);
        if (path.length === 0) doc = cloneJson(raw.value);
        else {
          const { parent, key } = locate(doc, path, 'replace');
          if (Array.isArray(parent)) parent[arrayIndex(parent, key, false)] = cloneJson(raw.value);
          else parent[key] = cloneJson(raw.value);
        }
        break;
      case 'move':
      case 'copy': {
        const from = decodePointer(String(raw.from ?? ''));
        const value = getAt(doc, from);
        if (value === undefined)
          throw patchError(`${op} operation does not apply: doc is missing from path: ${raw.from}`);
        if (op === 'move') doc = removeAt(doc, from);
        doc = addAt(doc, path, cloneJson(value));
        break;
      }
      case 'test':
        if (!jsonEqual(getAt(doc, path), raw.value))
          throw patchError(`testing value /${path.join('/')} failed: test failed`);
        break;
      default:
        throw patchError(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

const DIRECTIVE = '$patch';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const RETAIN_KEYS = '$retainKeys';

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value))
    return value.filter((v) => !(isPlainObject(v) && v[DIRECTIVE] === 'delete')).map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE))
      continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

/**
 * Strategic merge patch: maps merge, lists with a patch merge key merge item by item,
 * primitive lists with the merge strategy (finalizers) union, other lists are replaced.
 * Supports `$patch: replace|delete`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…` and `$retainKeys`.
 */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  schema: SchemaNode | undefined,
): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') return stripDirectives(patch);
  if (directive === 'delete') return undefined;
  const out: Obj = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (
      key === DIRECTIVE ||
      key === RETAIN_KEYS ||
      key.startsWith(SET_ORDER) ||
      key.startsWith(DELETE_PRIMITIVE)
    )
      continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const fieldSchema = childSchema(schema, key);
    if (Array.isArray(value)) out[key] = mergeListStrategic(out[key], value, fieldSchema);
    else if (isPlainObject(value)) {
      const merged = applyStrategicMergePatch(out[key], value, fieldSchema);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else out[key] = value;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (
      key.startsWith(DELETE_PRIMITIVE) &&
      Array.isArray(value) &&
      Array.isArray(out[key.slice(DELETE_PRIMITIVE.length)])
    ) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      out[field] = (out[field] as unknown[]).filter((v) => !value.some((d) => jsonEqual(d, v)));
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(SET_ORDER) && Array.isArray(value)) {
      const field = key.slice(SET_ORDER.length);
      if (Array.isArray(out[field]))
        out[field] = reorder(out[field] as unknown[], value, patchMergeKey(childSchema(schema, field)));
    }
  }
  if (Array.isArray(patch[RETAIN_KEYS])) {
    const keep = new Set((patch[RETAIN_KEYS] as unknown[]).map(String));
    for (const key of Object.keys(out)) if (!keep.has(key) && !(key in patch)) delete out[key];
  }
  return out;
}

function mergeListStrategic(original: unknown, patch: unknown[], schema: SchemaNode | undefined): unknown[] {
  const orig = Array.isArray(original) ? original : [];
  const key = patchMergeKey(schema);
  if (patch.some((p) => isPlainObject(p) && p[DIRECTIVE] === 'replace')) {
    return patch.filter((p) => !(isPlainObject(p) && p[DIRECTIVE] === 'replace')).map(stripDirectives);
  }
  if (key && patch.every(isPlainObject)) {
    const out = [...orig];
    for (const item of patch as Obj[]) {
      const idx = out.findIndex((o) => isPlainObject(o) && jsonEqual(o[key], item[key]));
      if (item[DIRECTIVE] === 'delete') {
        if (idx >= 0) out.splice(idx, 1);
        continue;
      }
      if (idx >= 0) out[idx] = applyStrategicMergePatch(out[idx], item, schema?.items);
      else out.push(stripDirectives(item));
    }
    return out;
  }
  if (schema?.listType === 'set' && !patch.some(isPlainObject)) {
    const out = [...orig];
    for (const v of patch) if (!out.some((o) => jsonEqual(o, v))) out.push(v);
    return out;
  }
  return patch.map(stripDirectives);
}

function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const rank = (item: unknown): number => {
    const idx = order.findIndex((o) =>
      key && isPlainObject(o) && isPlainObject(item) ? jsonEqual(o[key], item[key]) : jsonEqual(o, item),
    );
    return idx < 0 ? Number.MAX_SAFE_INTEGER : idx;
  };
  return list
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}
