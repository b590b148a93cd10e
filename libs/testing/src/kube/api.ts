/**
 * The verbs of the Kubernetes API over one instance's store, independent of HTTP:
 * get, list, watch, create, update, patch (JSON, merge, strategic, apply), delete and
 * deletecollection, with the object semantics kube-apiserver applies on every write.
 */
import { randomUUID } from 'node:crypto';
import { recordUpdate, sameIgnoringManagedFieldTimes, serverSideApply } from './apply.js';
import { errors, StatusError } from './errors.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import {
  GR_CLUSTERROLEBINDINGS,
  GR_CLUSTERROLES,
  GR_ROLEBINDINGS,
  GR_ROLES,
  PolicyRule,
  RbacAuthorizer,
} from './rbac.js';
import { apiVersionOf, ResourceRegistry, ResourceType } from './resource-registry.js';
import {
  FieldRequirement,
  LabelSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.js';
import { Change, ObjectStore, objectKey } from './store.js';
import { cloneJson, isPlainObject, jsonEqual, KubeObject, nowTimestamp, UserInfo } from './types.js';
import { unknownFields, validateObject } from './validation.js';

export interface CallContext {
  user: UserInfo;
  dryRun?: boolean;
  fieldManager?: string;
  userAgent?: string;
  /** Strict | Warn | Ignore (default Warn, as kube-apiserver). */
  fieldValidation?: string;
  /** Warnings for the `Warning` response header. */
  warnings?: string[];
}

export interface WriteResult {
  object: KubeObject;
  code: number;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface WatchQuery {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  allowWatchBookmarks?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface WatchEventSink {
  /** One event; `json` is the serialized object when it needs no conversion. */
  send(type: string, object: KubeObject, json?: string): void;
  close(): void;
}

export type WriteListener = (rt: ResourceType, type: Change['type'], object: KubeObject) => void;

const NAMESPACES = '/namespaces';
const CRDS = 'apiextensions.k8s.io/customresourcedefinitions';
const SERVICEACCOUNTS = '/serviceaccounts';

export function grOf(rt: ResourceType): string {
  return `${rt.group}/${rt.resource}`;
}

const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
function generateSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
  return s;
}

/** Default field manager from the User-Agent (`kubectl/v1.32 …` → `kubectl`), as kube-apiserver derives it. */
export function managerFromUserAgent(ua: string | undefined): string {
  const name = (ua ?? '').split('/')[0].trim();
  return name.slice(0, 128) || 'unknown';
}

interface Continue {
  rv: number;
  start: string;
}

function encodeContinue(c: Continue): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: c.rv, start: c.start })).toString('base64url');
}

function decodeContinue(token: string): Continue {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: number; start: string };
    if (typeof c.start !== 'string') throw new Error('bad');
    return { rv: Number(c.rv), start: c.start };
  } catch {
    throw errors.badRequest('continue key is not valid: illegal base64 data');
  }
}

/** Changes outside metadata and status (what bumps metadata.generation). */
function specChanged(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!jsonEqual(a[k], b[k])) return true;
  }
  return false;
}

function hasNulls(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasNulls);
  for (const k in value as Record<string, unknown>)
    if (hasNulls((value as Record<string, unknown>)[k])) return true;
  return false;
}

/** The value without null or undefined fields (copies only what changes). */
function stripNulls(value: unknown): unknown {
  if (!hasNulls(value)) return value;
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = stripNulls(v);
  return out;
}

/** apiVersion, kind and metadata first, as Kubernetes prints objects. */
function ordered(obj: KubeObject): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = obj;
  return { apiVersion, kind, metadata, ...rest };
}

export class KubeApi {
  private readonly listeners: WriteListener[] = [];

  constructor(
    readonly registry: ResourceRegistry,
    readonly store: ObjectStore,
    readonly rbac: RbacAuthorizer,
  ) {}

  onWrite(listener: WriteListener): void {
    this.listeners.push(listener);
  }

  /** The object as seen through `version` (custom resources are stored once for all versions). */
  present(rt: ResourceType, version: string, obj: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(rt.group, version);
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  }

  private scopeNamespace(rt: ResourceType, namespace: string | undefined): string | undefined {
    return rt.namespaced ? namespace : undefined;
  }

  get(rt: ResourceType, version: string, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(grOf(rt), this.scopeNamespace(rt, namespace), name);
    if (!obj) throw errors.notFound(rt.group, rt.resource, name);
    return this.present(rt, version, obj);
  }

  list(rt: ResourceType, version: string, namespace: string | undefined, q: ListQuery): KubeObject {
    const labels = parseLabelSelector(q.labelSelector);
    const fields = parseFieldSelector(q.fieldSelector, rt.group, rt.resource);
    let items = this.store
      .list(grOf(rt), this.scopeNamespace(rt, namespace))
      .filter((o) => this.matches(o, labels, fields));
    let rv = this.store.resourceVersion;
    if (q.continue) {
      const c = decodeContinue(q.continue);
      rv = c.rv;
      items = items.filter((o) => objectKey(o.metadata?.namespace, o.metadata!.name!) > c.start);
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (q.limit && q.limit > 0 && items.length > q.limit) {
      const last = items[q.limit - 1];
      metadata.continue = encodeContinue({
        rv,
        start: objectKey(last.metadata?.namespace, last.metadata!.name!),
      });
      metadata.remainingItemCount = items.length - q.limit;
      items = items.slice(0, q.limit);
    }
    const typed = !rt.crd;
    return {
      apiVersion: apiVersionOf(rt.group, version),
      kind: rt.listKind,
      metadata,
      items: items.map((o) => {
        if (!typed) return this.present(rt, version, o);
        const { apiVersion: _a, kind: _k, ...rest } = o;
        return rest;
      }),
    };
  }

  private matches(o: KubeObject, labels: LabelSelector, fields: FieldRequirement[]): boolean {
    return matchesLabels(labels, o.metadata?.labels) && matchesFields(fields, o);
  }

  /**
   * Starts a watch: replays what the client missed (or the current state), then streams
   * changes. Returns the function that ends it.
   */
  watch(
    rt: ResourceType,
    version: string,
    namespace: string | undefined,
    q: WatchQuery,
    sink: WatchEventSink,
  ): () => void {
    const labels = parseLabelSelector(q.labelSelector);
    const fields = parseFieldSelector(q.fieldSelector, rt.group, rt.resource);
    const gr = grOf(rt);
    const ns = this.scopeNamespace(rt, namespace);
    const wanted = apiVersionOf(rt.group, version);
    const match = (o: KubeObject | undefined) => !!o && this.matches(o, labels, fields);
    const deliver = (c: Change, json?: () => string) => {
      const now = match(c.object);
      const before = c.type === 'MODIFIED' ? match(c.old) : false;
      let type: string | undefined;
      if (c.type === 'ADDED') type = now ? 'ADDED' : undefined;
      else if (c.type === 'DELETED') type = match(c.old) ? 'DELETED' : undefined;
      else if (now) type = before ? 'MODIFIED' : 'ADDED';
      else if (before) type = 'DELETED';
      if (!type) return;
      const obj = c.object.apiVersion === wanted ? c.object : { ...c.object, apiVersion: wanted };
      sink.send(type, obj, obj === c.object ? json?.() : undefined);
    };
    const rvParam = q.resourceVersion;
    if (q.sendInitialEvents || !rvParam || rvParam === '0') {
      for (const o of this.store.list(gr, ns)) if (match(o)) sink.send('ADDED', this.present(rt, version, o));
      if (q.sendInitialEvents && q.allowWatchBookmarks) {
        sink.send('BOOKMARK', {
          apiVersion: wanted,
          kind: rt.kind,
          metadata: {
            resourceVersion: String(this.store.resourceVersion),
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        });
      }
    } else {
      const from = Number(rvParam);
      if (!Number.isFinite(from)) throw errors.badRequest(`invalid resource version: ${rvParam}`);
      const missed = this.store.changesSince(gr, from);
      if (!missed) {
        sink.send(
          'ERROR',
          new StatusError(
            410,
            'Expired',
            `too old resource version: ${from} (${this.store.oldestResumable})`,
          ).toStatus(),
        );
        sink.close();
        return () => {};
      }
      for (const c of missed) if (!ns || c.object.metadata?.namespace === ns) deliver(c);
    }
    return this.store.subscribe({
      gr,
      namespace: ns,
      onChange: (c, json) => deliver(c, json),
      close: () => sink.close(),
    });
  }

  private checkBody(rt: ResourceType, version: string, body: unknown): KubeObject {
    if (!isPlainObject(body))
      throw errors.badRequest('the body of the request must be a JSON or YAML object');
    const obj = body as KubeObject;
    const expected = apiVersionOf(rt.group, version);
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw errors.badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`,
      );
    }
    if (obj.kind !== undefined && obj.kind !== rt.kind) {
      throw errors.badRequest(
        `the kind in the data (${obj.kind}) does not match the expected kind (${rt.kind})`,
      );
    }
    if (obj.metadata !== undefined && !isPlainObject(obj.metadata))
      throw errors.badRequest('metadata must be an object');
    return obj;
  }

  private checkFields(rt: ResourceType, obj: KubeObject, ctx: CallContext): KubeObject {
    const unknown = unknownFields(rt, obj);
    if (!unknown.length) return obj;
    const mode = ctx.fieldValidation ?? 'Warn';
    if (mode === 'Strict') {
      throw errors.badRequest(
        `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
      );
    }
    if (mode === 'Warn') for (const f of unknown) ctx.warnings?.push(`unknown field "${f}"`);
    const out: KubeObject = { ...obj, metadata: { ...obj.metadata } };
    for (const f of unknown) {
      if (f.startsWith('metadata.')) delete out.metadata![f.slice('metadata.'.length)];
      else delete out[f];
    }
    return out;
  }

  private checkNamespace(rt: ResourceType, namespace: string | undefined): void {
    if (!rt.namespaced) return;
    if (!namespace) throw errors.badRequest('the namespace of the object must be set');
    const ns = this.store.get(NAMESPACES, undefined, namespace);
    if (!ns) throw errors.notFound('', 'namespaces', namespace);
    if (ns.metadata?.deletionTimestamp) {
      throw errors.forbidden(
        `${rt.resource} "" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private fieldCtx(rt: ResourceType, version: string, subresource?: string) {
    return {
      schema: rt.schema,
      apiVersion: apiVersionOf(rt.group, version),
      subresource: subresource === 'status' ? 'status' : undefined,
      statusSubresource: rt.subresources.includes('status'),
    };
  }

  create(
    rt: ResourceType,
    version: string,
    namespace: string | undefined,
    body: unknown,
    ctx: CallContext,
  ): WriteResult {
    let obj = this.checkFields(rt, this.checkBody(rt, version, body), ctx);
    const ns = this.scopeNamespace(rt, namespace);
    const meta = { ...(obj.metadata ?? {}) };
    if (rt.namespaced && meta.namespace && ns && meta.namespace !== ns) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (rt.namespaced) meta.namespace = ns;
    else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${generateSuffix()}`;
    if (meta.resourceVersion) {
      throw errors.invalid(rt.group, rt.kind, meta.name ?? '', [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: "' + meta.resourceVersion + '": must be empty',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    if (meta.name && this.store.get(grOf(rt), meta.namespace, meta.name))
      throw errors.alreadyExists(rt.group, rt.resource, meta.name);
    obj = { ...obj, apiVersion: apiVersionOf(rt.group, version), kind: rt.kind, metadata: meta };
    if (rt.subresources.includes('status')) delete obj.status;
    obj = recordUpdate(undefined, obj, {
      ...this.fieldCtx(rt, version),
      manager: ctx.fieldManager ?? managerFromUserAgent(ctx.userAgent),
    });
    return this.commit(rt, undefined, obj, ctx);
  }

  update(
    rt: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource: string | undefined,
    ctx: CallContext,
  ): WriteResult {
    const ns = this.scopeNamespace(rt, namespace);
    const obj = this.checkFields(rt, this.checkBody(rt, version, body), ctx);
    const live = this.store.get(grOf(rt), ns, name);
    if (!live) throw errors.notFound(rt.group, rt.resource, name);
    if (obj.metadata?.name !== undefined && obj.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const rv = obj.metadata?.resourceVersion;
    if (!rv && rt.crd) {
      throw errors.invalid(rt.group, rt.kind, name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    return this.updateFrom(
      rt,
      version,
      live,
      obj,
      subresource,
      ctx,
      ctx.fieldManager ?? managerFromUserAgent(ctx.userAgent),
    );
  }

  /** Shared tail of update and non-apply patches: `next` is the complete new object. */
  private updateFrom(
    rt: ResourceType,
    version: string,
    live: KubeObject,
    next: KubeObject,
    subresource: string | undefined,
    ctx: CallContext,
    manager: string,
  ): WriteResult {
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== live.metadata?.resourceVersion) {
      throw errors.conflict(
        rt.group,
        rt.resource,
        live.metadata!.name!,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    let obj: KubeObject;
    if (subresource === 'status') {
      obj = { ...live, status: next.status };
      if (next.status === undefined) delete obj.status;
    } else {
      const nextMeta = { ...(next.metadata ?? {}) };
      obj = { ...next, apiVersion: apiVersionOf(rt.group, version), kind: rt.kind, metadata: nextMeta };
      if (rt.subresources.includes('status')) {
        if (live.status !== undefined) obj.status = live.status;
        else delete obj.status;
      }
    }
    const base = this.managedFieldsBase(live, next);
    obj = recordUpdate(base, obj, { ...this.fieldCtx(rt, version, subresource), manager });
    return this.commit(rt, live, obj, ctx);
  }

  /** The object whose managedFields a write starts from: a client may replace or reset them. */
  private managedFieldsBase(live: KubeObject, sent: KubeObject): KubeObject {
    const sentMF = sent.metadata?.managedFields;
    if (!Array.isArray(sentMF) || jsonEqual(sentMF, live.metadata?.managedFields)) return live;
    const valid = sentMF.filter((m) => isPlainObject(m) && m.manager);
    return { ...live, metadata: { ...live.metadata, managedFields: valid } };
  }

  patch(
    rt: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    subresource: string | undefined,
    ctx: CallContext & { force?: boolean },
  ): WriteResult {
    const ns = this.scopeNamespace(rt, namespace);
    const live = this.store.get(grOf(rt), ns, name);
    if (type === 'apply') return this.apply(rt, version, ns, name, live, body, subresource, ctx);
    if (!live) throw errors.notFound(rt.group, rt.resource, name);
    if (type === 'strategic' && rt.crd) {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    const current = cloneJson(live);
    let patched: unknown;
    if (type === 'json') patched = applyJsonPatch(current, body);
    else if (type === 'merge') patched = applyMergePatch(current, body);
    else patched = applyStrategicMergePatch(current, body, rt.schema);
    if (!isPlainObject(patched)) throw errors.badRequest('the patch did not produce an object');
    let next = this.checkBody(rt, version, patched);
    next = this.checkFields(rt, next, ctx);
    if (next.metadata?.name !== name)
      throw errors.badRequest(
        `the name of the object (${next.metadata?.name}) does not match the name on the URL (${name})`,
      );
    const manager = ctx.fieldManager ?? managerFromUserAgent(ctx.userAgent);
    return this.updateFrom(rt, version, live, next, subresource, ctx, manager);
  }

  private apply(
    rt: ResourceType,
    version: string,
    ns: string | undefined,
    name: string,
    live: KubeObject | undefined,
    body: unknown,
    subresource: string | undefined,
    ctx: CallContext & { force?: boolean },
  ): WriteResult {
    if (!ctx.fieldManager) {
      throw errors.invalid('meta.k8s.io', 'PatchOptions', '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
          field: 'fieldManager',
        },
      ]);
    }
    if (!isPlainObject(body)) throw errors.badRequest('the apply configuration must be an object');
    const config = body as KubeObject;
    if (!config.apiVersion || !config.kind) {
      throw errors.badRequest(`invalid object type: ${config.apiVersion ?? ''}, Kind=${config.kind ?? ''}`);
    }
    this.checkBody(rt, version, config);
    const checked = this.checkFields(rt, config, ctx);
    const meta = checked.metadata ?? {};
    if (meta.name !== undefined && meta.name !== name) {
      throw errors.badRequest(
        `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
      );
    }
    if (rt.namespaced && meta.namespace && meta.namespace !== ns) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (meta.resourceVersion && live && meta.resourceVersion !== live.metadata?.resourceVersion) {
      throw errors.conflict(
        rt.group,
        rt.resource,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    if (!live && subresource === 'status') throw errors.notFound(rt.group, rt.resource, name);
    const fctx = {
      ...this.fieldCtx(rt, version, subresource),
      manager: ctx.fieldManager,
      force: !!ctx.force,
    };
    let obj = serverSideApply(live, checked, fctx);
    const outMeta = { ...obj.metadata, name };
    if (rt.namespaced) outMeta.namespace = ns;
    else delete outMeta.namespace;
    delete outMeta.resourceVersion;
    obj = { ...obj, metadata: outMeta, apiVersion: apiVersionOf(rt.group, version), kind: rt.kind };
    return this.commit(rt, live, obj, ctx);
  }

  /**
   * Common tail of every write: server-set fields, kind rules, validation, escalation
   * checks, no-op detection, dry run, storage and what follows a write.
   */
  private commit(
    rt: ResourceType,
    live: KubeObject | undefined,
    next: KubeObject,
    ctx: CallContext,
  ): WriteResult {
    let obj = { ...(stripNulls(next) as KubeObject) };
    const meta = { ...(obj.metadata ?? {}) };
    obj.metadata = meta;
    if (live) {
      const lm = live.metadata!;
      meta.uid = lm.uid;
      meta.creationTimestamp = lm.creationTimestamp;
      meta.namespace = lm.namespace;
      if (lm.deletionTimestamp) meta.deletionTimestamp = lm.deletionTimestamp;
      else delete meta.deletionTimestamp;
      if (lm.deletionGracePeriodSeconds !== undefined)
        meta.deletionGracePeriodSeconds = lm.deletionGracePeriodSeconds;
      if (rt.generation) meta.generation = (lm.generation ?? 1) + (specChanged(live, obj) ? 1 : 0);
      else delete meta.generation;
      meta.resourceVersion = lm.resourceVersion;
      if (isImmutableViolation(rt, live, obj)) {
        throw errors.invalid(rt.group, rt.kind, lm.name!, [
          {
            reason: 'FieldValueForbidden',
            message: 'Forbidden: field is immutable when `immutable` is set',
            field: 'data',
          },
        ]);
      }
    } else {
      meta.uid = randomUUID();
      meta.creationTimestamp = nowTimestamp();
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
      delete meta.resourceVersion;
      if (rt.generation) meta.generation = 1;
      else delete meta.generation;
    }
    obj = this.kindRules(rt, live, obj);
    const causes = validateObject(rt, obj);
    if (causes.length) throw errors.invalid(rt.group, rt.kind, meta.name ?? '', causes);
    if (!live) this.checkNamespace(rt, meta.namespace);
    this.checkEscalation(rt, obj, ctx);
    obj = ordered(obj);
    if (live && sameIgnoringManagedFieldTimes(live, obj)) return { object: live, code: 200 };
    if (ctx.dryRun) {
      if (!live) delete obj.metadata!.resourceVersion;
      return { object: obj, code: live ? 200 : 201 };
    }
    if (live && meta.deletionTimestamp && !(meta.finalizers ?? []).length) {
      this.store.put(grOf(rt), obj);
      this.finishDeletion(rt, obj, 'Background');
      return { object: obj, code: 200 };
    }
    this.store.put(grOf(rt), obj);
    this.afterWrite(rt, live, obj);
    return { object: obj, code: live ? 200 : 201 };
  }

  /** Per-kind mutations kube-apiserver's strategies make. */
  private kindRules(rt: ResourceType, live: KubeObject | undefined, obj: KubeObject): KubeObject {
    const key = `${rt.group}/${rt.kind}`;
    if (key === '/Secret') {
      if (isPlainObject(obj.stringData)) {
        const data: Record<string, unknown> = { ...(isPlainObject(obj.data) ? obj.data : {}) };
        for (const [k, v] of Object.entries(obj.stringData))
          data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        obj = { ...obj, data };
      }
      delete obj.stringData;
      if (!obj.type) obj.type = 'Opaque';
    } else if (key === '/Namespace') {
      const status = isPlainObject(obj.status) ? obj.status : {};
      obj.status = { ...status, phase: obj.metadata?.deletionTimestamp ? 'Terminating' : 'Active' };
      obj.spec = { finalizers: ['kubernetes'], ...(isPlainObject(obj.spec) ? obj.spec : {}) };
      const labels = { ...(obj.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata!.name! };
      obj.metadata = { ...obj.metadata, labels };
    } else if (key === 'apiextensions.k8s.io/CustomResourceDefinition') {
      obj.status = crdStatus(obj, live);
    } else if (!live && (key === '/Pod' || key === '/PersistentVolumeClaim') && !isPlainObject(obj.status)) {
      obj.status = { phase: 'Pending' };
    }
    return obj;
  }

  private checkEscalation(rt: ResourceType, obj: KubeObject, ctx: CallContext): void {
    const gr = grOf(rt);
    const ns = obj.metadata?.namespace;
    const name = obj.metadata?.name ?? '';
    if (gr === GR_ROLES || gr === GR_CLUSTERROLES) {
      const rules = (obj.rules as PolicyRule[] | undefined) ?? [];
      if (
        this.rbac.authorize({
          user: ctx.user,
          verb: 'escalate',
          resourceRequest: true,
          apiGroup: rt.group,
          resource: rt.resource,
          namespace: ns,
          name,
        }).allowed
      )
        return;
      const missing = this.rbac.uncovered(ctx.user, ns, rules);
      if (missing) {
        throw errors.forbidden(
          `${rt.resource}.${rt.group} "${name}" is forbidden: user "${ctx.user.name}" (groups=${JSON.stringify(ctx.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${JSON.stringify(missing)}`,
          { name, group: rt.group, kind: rt.resource },
        );
      }
    } else if (gr === GR_ROLEBINDINGS || gr === GR_CLUSTERROLEBINDINGS) {
      const ref = obj.roleRef as { kind?: string; name?: string } | undefined;
      const refResource = ref?.kind === 'Role' ? 'roles' : 'clusterroles';
      const bind = this.rbac.authorize({
        user: ctx.user,
        verb: 'bind',
        resourceRequest: true,
        apiGroup: rt.group,
        resource: refResource,
        namespace: ref?.kind === 'Role' ? ns : gr === GR_ROLEBINDINGS ? ns : undefined,
        name: ref?.name,
      });
      if (bind.allowed) return;
      const rules = this.rbac.roleRefRules(ref, ns);
      const missing = rules ? this.rbac.uncovered(ctx.user, ns, rules) : undefined;
      if (!rules || missing) {
        throw errors.forbidden(
          `${rt.resource}.${rt.group} "${name}" is forbidden: user "${ctx.user.name}" (groups=${JSON.stringify(ctx.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing ? JSON.stringify(missing) : `${ref?.kind} "${ref?.name}" not found`}`,
          { name, group: rt.group, kind: rt.resource },
        );
      }
    }
  }

  private afterWrite(rt: ResourceType, live: KubeObject | undefined, obj: KubeObject): void {
    const gr = grOf(rt);
    if (gr === CRDS) this.registry.registerCRD(obj);
    if (gr === NAMESPACES && !live) this.ensureDefaultServiceAccount(obj.metadata!.name!);
    for (const l of this.listeners) l(rt, live ? 'MODIFIED' : 'ADDED', obj);
  }

  /** What kube-controller-manager's service account controller does for a new namespace. */
  private ensureDefaultServiceAccount(namespace: string): void {
    if (this.store.get(SERVICEACCOUNTS, namespace, 'default')) return;
    this.store.put(SERVICEACCOUNTS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace, uid: randomUUID(), creationTimestamp: nowTimestamp() },
    });
  }

  /**
   * Writes status on behalf of a controller (manager `kube-controller-manager`), as a
   * status-subresource update. Returns false when the object is gone.
   */
  updateStatus(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    status: Record<string, unknown>,
  ): boolean {
    const live = this.store.get(grOf(rt), namespace, name);
    if (!live || live.metadata?.deletionTimestamp) return false;
    const version = rt.versions[0];
    const next = recordUpdate(
      live,
      { ...live, status },
      { ...this.fieldCtx(rt, version, 'status'), manager: 'kube-controller-manager' },
    );
    if (sameIgnoringManagedFieldTimes(live, next)) return true;
    this.store.put(grOf(rt), { ...next, metadata: { ...next.metadata } });
    return true;
  }

  delete(
    rt: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions,
    ctx: CallContext,
  ): WriteResult {
    const ns = this.scopeNamespace(rt, namespace);
    const live = this.store.get(grOf(rt), ns, name);
    if (!live) throw errors.notFound(rt.group, rt.resource, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== live.metadata?.uid) {
      throw errors.conflict(
        rt.group,
        rt.resource,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${live.metadata?.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== live.metadata?.resourceVersion) {
      throw errors.conflict(
        rt.group,
        rt.resource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${live.metadata?.resourceVersion}`,
      );
    }
    if (ctx.dryRun) return { object: this.present(rt, version, live), code: 200 };
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : 'Background');
    const gr = grOf(rt);
    if (gr === NAMESPACES) {
      const terminating = this.markDeleting(rt, live, true);
      this.deleteNamespaceContents(name);
      this.finishNamespaceIfEmpty(name);
      return { object: this.present(rt, version, terminating), code: 200 };
    }
    if (live.metadata?.finalizers?.length) {
      const marked = this.markDeleting(rt, live, false);
      return { object: this.present(rt, version, marked), code: 200 };
    }
    const gone = this.finishDeletion(rt, live, policy);
    return {
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: rt.group || undefined, kind: rt.resource, uid: gone?.metadata?.uid },
      },
      code: 200,
    };
  }

  private markDeleting(rt: ResourceType, live: KubeObject, namespace: boolean): KubeObject {
    if (live.metadata?.deletionTimestamp) return live;
    const obj: KubeObject = {
      ...live,
      metadata: { ...live.metadata, deletionTimestamp: nowTimestamp(), deletionGracePeriodSeconds: 0 },
    };
    if (namespace) obj.status = { ...(isPlainObject(live.status) ? live.status : {}), phase: 'Terminating' };
    return this.store.put(grOf(rt), obj);
  }

  /** Removes an object for good and collects its dependents (ownerReferences). */
  private finishDeletion(
    rt: ResourceType,
    obj: KubeObject,
    policy: string,
    checkNamespace = true,
  ): KubeObject | undefined {
    const meta = obj.metadata!;
    const gr = grOf(rt);
    if (policy === 'Foreground') this.collectDependents(meta.uid!, 'Foreground');
    const gone = this.store.remove(gr, meta.namespace, meta.name!);
    if (gr === CRDS) {
      const t = this.registry.unregisterCRD(meta.name!);
      if (t) this.store.dropKind(grOf(t));
    }
    if (policy !== 'Foreground') this.collectDependents(meta.uid!, policy);
    for (const l of this.listeners) l(rt, 'DELETED', gone ?? obj);
    if (meta.namespace && checkNamespace) this.finishNamespaceIfEmpty(meta.namespace);
    return gone;
  }

  private collectDependents(uid: string, policy: string): void {
    if (!this.store.ownedObjects) return;
    for (const gr of this.store.kinds()) {
      const rt = this.typeOf(gr);
      if (!rt) continue;
      for (const o of [...this.store.scan(gr)]) {
        const refs = o.metadata?.ownerReferences ?? [];
        if (!refs.some((r) => r.uid === uid)) continue;
        if (policy === 'Orphan') {
          this.store.put(gr, {
            ...o,
            metadata: { ...o.metadata, ownerReferences: refs.filter((r) => r.uid !== uid) },
          });
        } else if (o.metadata?.finalizers?.length) this.markDeleting(rt, o, false);
        else this.finishDeletion(rt, o, policy);
      }
    }
  }

  private typeOf(gr: string): ResourceType | undefined {
    const slash = gr.indexOf('/');
    return this.registry.get(gr.slice(0, slash), gr.slice(slash + 1));
  }

  private deleteNamespaceContents(namespace: string): void {
    for (const gr of this.store.kinds()) {
      const rt = this.typeOf(gr);
      if (!rt?.namespaced) continue;
      for (const o of this.store.list(gr, namespace)) {
        if (!this.store.get(gr, namespace, o.metadata!.name!)) continue;
        if (o.metadata?.finalizers?.length) this.markDeleting(rt, o, false);
        else this.finishDeletion(rt, o, 'Background', false);
      }
    }
  }

  private finishNamespaceIfEmpty(namespace: string): void {
    const ns = this.store.get(NAMESPACES, undefined, namespace);
    if (!ns?.metadata?.deletionTimestamp) return;
    for (const gr of this.store.kinds()) {
      if (gr === NAMESPACES) continue;
      if (this.typeOf(gr)?.namespaced && this.store.hasAny(gr, namespace)) return;
    }
    const rt = this.registry.get('', 'namespaces')!;
    this.store.remove(NAMESPACES, undefined, namespace);
    for (const l of this.listeners) l(rt, 'DELETED', ns);
  }

  deleteCollection(
    rt: ResourceType,
    version: string,
    namespace: string | undefined,
    q: ListQuery,
    opts: DeleteOptions,
    ctx: CallContext,
  ): WriteResult {
    const list = this.list(rt, version, namespace, {
      labelSelector: q.labelSelector,
      fieldSelector: q.fieldSelector,
    });
    const items = list.items as KubeObject[];
    const deleted: KubeObject[] = [];
    for (const item of items) {
      try {
        const r = this.delete(
          rt,
          version,
          item.metadata?.namespace ?? namespace,
          item.metadata!.name!,
          opts,
          ctx,
        );
        deleted.push(r.object.kind === 'Status' ? item : r.object);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return { object: { ...list, items: deleted }, code: 200 };
  }
}

function isImmutableViolation(rt: ResourceType, live: KubeObject, next: KubeObject): boolean {
  if (rt.group !== '' || (rt.kind !== 'ConfigMap' && rt.kind !== 'Secret')) return false;
  if (live.immutable !== true) return false;
  return (
    !jsonEqual(live.data, next.data) ||
    !jsonEqual(live.binaryData, next.binaryData) ||
    next.immutable !== true
  );
}

/** The status the apiextensions controllers give a CRD: names accepted and established at once. */
function crdStatus(crd: KubeObject, live: KubeObject | undefined): Record<string, unknown> {
  const spec = (crd.spec ?? {}) as Record<string, unknown>;
  const versions = (Array.isArray(spec.versions) ? spec.versions : []) as Record<string, unknown>[];
  const storage = String(versions.find((v) => v.storage)?.name ?? versions[0]?.name ?? '');
  const liveStatus = (isPlainObject(live?.status) ? live!.status : {}) as Record<string, unknown>;
  const stored = new Set<string>(
    Array.isArray(liveStatus.storedVersions) ? (liveStatus.storedVersions as string[]) : [],
  );
  if (storage) stored.add(storage);
  const now = nowTimestamp();
  const prev = (Array.isArray(liveStatus.conditions) ? liveStatus.conditions : []) as Record<
    string,
    unknown
  >[];
  const cond = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: (prev.find((c) => c.type === type)?.lastTransitionTime as string | undefined) ?? now,
    reason,
    message,
  });
  return {
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: spec.names,
    storedVersions: [...stored],
  };
}
