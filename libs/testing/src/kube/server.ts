/**
 * The Kubernetes API test server: HTTP(S) routing over one instance's store, with
 * authentication, impersonation, RBAC, discovery, watch streaming and fault injection.
 * Many instances can live in one process; an idle instance holds no timers.
 */
import { writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  Server,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { CallContext, DeleteOptions, grOf, KubeApi, PatchType, WatchQuery } from './api.js';
import { ANONYMOUS, Authenticator, impersonate, readImpersonationHeaders, TokenIdentity } from './authn.js';
import { SimulatedControllers } from './controllers.js';
import { answerReview, answerTokenRequest } from './reviews.js';
import { scaleOf, updateScale } from './scale.js';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openapiV3GroupVersion,
  openapiV3Root,
  versionInfo,
  wantsAggregated,
} from './discovery.js';
import { errors, StatusError } from './errors.js';
import { FaultInjector } from './faults.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { decodeProtobufObject } from './protobuf.js';
import { Attributes, defaultRbacObjects, MASTERS_GROUP, RbacAuthorizer } from './rbac.js';
import { parseRequestInfo, RequestInfo } from './request-info.js';
import { apiVersionOf, ResourceRegistry, ResourceType } from './resource-registry.js';
import { ObjectStore } from './store.js';
import { toTable, wantsTable } from './table.js';
import { selfSignedCertificate } from './tls.js';
import { isPlainObject, KubeObject, UserInfo } from './types.js';

export interface KubeTestServerOptions {
  /** 0 (default): a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serve HTTPS with a self-signed certificate (kubectl sends bearer tokens only over HTTPS). */
  tls?: boolean;
  /** Workloads become available, Jobs complete, PVCs bind after a delay (default: off). */
  simulateControllers?: { availabilityDelayMs: number } | false;
  /** Bearer token → identity. */
  tokens?: Record<string, TokenIdentity>;
  /**
   * Identity of requests without credentials. Default: `admin` over HTTP (kubectl never sends
   * tokens there; like the old insecure port), `reject` (401) over HTTPS.
   */
  anonymous?: 'admin' | 'anonymous' | 'reject';
  /** Namespaces to create at start besides default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /** Called with one line per answered request (method, URL, status, content type). */
  log?: (line: string) => void;
}

/** A request handed to `KubeTestServer.dispatch` (no socket). */
export interface InProcessRequest {
  method: string;
  /** Path and query, as in an HTTP request line (e.g. `/api/v1/namespaces?limit=5`). */
  url: string;
  /** Header names in any case; a repeated header as an array. */
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

export interface InProcessResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | string[]>;
  body: string;
}

export interface KubeTestServerStats {
  /** Every request, over HTTP or dispatched in-process. */
  requests: number;
  /** Successful create, update, patch, delete and deletecollection requests that were not dry runs. */
  writes: number;
  /** Requests by Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) or HTTP method for other paths. */
  byVerb: Record<string, number>;
  /** TCP connections accepted (over HTTP): how well clients reuse them. */
  connections: number;
  /** Stored changes (resourceVersion bumps) since the last reset: a no-op apply makes none. */
  readonly changes: number;
  reset(): void;
}

const MAX_BODY = 3 * 1024 * 1024;
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

const ADMIN: UserInfo = { name: 'kubernetes-admin', groups: [MASTERS_GROUP, 'system:authenticated'] };

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** One request as the API reads it: from node:http, or handed over in-process by `dispatch`. */
interface ApiRequest {
  method: string;
  url: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** Every value of every header (impersonation headers may repeat). */
  headersDistinct: Record<string, string[] | undefined>;
  body(): Promise<Buffer>;
  /** The HTTP exchange a watch streams over; in-process requests have none. */
  http?: { req: IncomingMessage; res: ServerResponse };
}

/** Where an answer goes: node's ServerResponse, or a recorder for `dispatch`. */
interface ApiResponse {
  readonly headersSent: boolean;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  writeHead(code: number, headers: OutgoingHttpHeaders): unknown;
  end(text: string): unknown;
  destroy(): unknown;
}

/** Records the one answer of an in-process request. */
class RecordedResponse implements ApiResponse {
  status = 0;
  headersSent = false;
  /** The answer broke off after its headers (over HTTP: a reset connection). */
  reset = false;
  body = '';
  readonly headers: Record<string, string | string[]> = {};

  setHeader(name: string, value: string | number | readonly string[]): void {
    this.headers[name.toLowerCase()] = typeof value === 'object' ? [...value] : String(value);
  }

  writeHead(code: number, headers: OutgoingHttpHeaders): void {
    this.status = code;
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value);
    this.headersSent = true;
  }

  end(text: string): void {
    this.body = text;
  }

  destroy(): void {
    this.reset = true;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(errors.tooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string): unknown {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobufObject(raw);
  const text = raw.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    if (type.includes('yaml')) {
      try {
        return parseYaml(text);
      } catch (ye) {
        throw errors.badRequest(`error converting YAML to JSON: ${(ye as Error).message}`);
      }
    }
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

function hasImpersonation(headers: IncomingHttpHeaders): boolean {
  for (const name in headers) if (name.length > 12 && name.startsWith('impersonate-')) return true;
  return false;
}

function boolParam(v: string | null): boolean {
  return v === 'true' || v === '1';
}

class Stats implements KubeTestServerStats {
  requests = 0;
  writes = 0;
  byVerb: Record<string, number> = {};
  connections = 0;
  private base: number;

  constructor(private readonly resourceVersion: () => number) {
    this.base = resourceVersion();
  }

  get changes(): number {
    return this.resourceVersion() - this.base;
  }

  reset(): void {
    this.requests = 0;
    this.writes = 0;
    this.byVerb = {};
    this.connections = 0;
    this.base = this.resourceVersion();
  }
}

export class KubeTestServer {
  readonly adminToken: string;
  readonly faults: FaultInjector;
  readonly stats: Stats;
  /** The API's verbs over this instance's objects, for tests that want to look behind HTTP. */
  readonly api: KubeApi;

  private readonly registry = new ResourceRegistry();
  private readonly store = new ObjectStore();
  private readonly rbac: RbacAuthorizer;
  private readonly authn: Authenticator;
  private readonly controllers?: SimulatedControllers;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<ServerResponse>();
  private readonly caPem?: string;
  private server!: Server;
  private address = '';

  private constructor(private readonly opts: KubeTestServerOptions) {
    this.rbac = new RbacAuthorizer(this.store);
    this.api = new KubeApi(this.registry, this.store, this.rbac);
    const anonymousMode = opts.anonymous ?? (opts.tls ? 'reject' : 'admin');
    this.authn = new Authenticator(
      opts.tokens ?? {},
      (ns, name) => this.store.get('/serviceaccounts', ns, name)?.metadata?.uid,
      anonymousMode === 'admin' ? ADMIN : anonymousMode === 'anonymous' ? ANONYMOUS : undefined,
    );
    this.adminToken = this.authn.adminToken;
    this.faults = new FaultInjector((abrupt) => this.closeWatches(abrupt));
    this.stats = new Stats(() => this.store.resourceVersion);
    if (opts.simulateControllers)
      this.controllers = new SimulatedControllers(this.api, opts.simulateControllers.availabilityDelayMs);
    if (opts.tls) this.caPem = selfSignedCertificate().cert;
    this.seed();
  }

  static async start(opts: KubeTestServerOptions = {}): Promise<KubeTestServer> {
    const host = opts.host ?? '127.0.0.1';
    const instance = new KubeTestServer(opts);
    await instance.listen(host, opts.port ?? 0);
    return instance;
  }

  private async listen(host: string, port: number): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handleHttp(req, res);
    this.server = this.opts.tls
      ? createHttpsServer({ ...selfSignedCertificate() }, handler)
      : createHttpServer(handler);
    this.server.on('connection', (s: Socket) => {
      this.stats.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.address = `${this.opts.tls ? 'https' : 'http'}://${h}:${addr.port}`;
  }

  /** Base URL, e.g. http://127.0.0.1:PORT. */
  get url(): string {
    return this.address;
  }

  private seed(): void {
    const nsType = this.registry.get('', 'namespaces')!;
    const ctx: CallContext = { user: ADMIN, fieldManager: 'kube-apiserver' };
    for (const name of new Set([...SYSTEM_NAMESPACES, ...(this.opts.namespaces ?? [])])) {
      this.api.create(
        nsType,
        'v1',
        undefined,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        ctx,
      );
    }
    for (const { gr, object } of defaultRbacObjects()) {
      const [group, resource] = gr.split('/');
      this.api.create(this.registry.get(group, resource)!, 'v1', undefined, object, ctx);
    }
    this.stats.reset();
  }

  /** kubeconfig YAML for this instance: admin by default, a given token, or impersonating `user`. */
  kubeconfig(opts: { user?: string; token?: string; namespace?: string } = {}): string {
    return kubeconfigYaml({
      server: this.url,
      caPem: this.caPem,
      token: opts.token ?? this.adminToken,
      as: opts.token ? undefined : opts.user,
      namespace: opts.namespace,
    });
  }

  async writeKubeconfig(
    path: string,
    opts: { user?: string; token?: string; namespace?: string } = {},
  ): Promise<void> {
    await writeFile(path, this.kubeconfig(opts), { mode: 0o600 });
  }

  /** A bearer token of system:serviceaccount:<namespace>:<name> (valid while that ServiceAccount exists). */
  serviceAccountToken(namespace: string, name: string): string {
    const uid = this.store.get('/serviceaccounts', namespace, name)?.metadata?.uid;
    return this.authn.serviceAccountToken({ namespace, name, uid }).token;
  }

  /** Adds a bearer token for an identity at run time. */
  addToken(token: string, identity: TokenIdentity): void {
    this.authn.addToken(token, identity);
  }

  /** PEM of the self-signed CA (HTTPS instances). */
  get caCertificate(): string | undefined {
    return this.caPem;
  }

  async stop(): Promise<void> {
    this.controllers?.stop();
    this.closeWatches(true);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private closeWatches(abrupt: boolean): number {
    const n = this.watches.size;
    for (const res of [...this.watches]) {
      if (abrupt) res.socket?.destroy();
      else res.end();
    }
    this.store.closeAllWatches();
    this.watches.clear();
    return n;
  }

  private handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request: ApiRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      headersDistinct: req.headersDistinct as Record<string, string[] | undefined>,
      body: () => readBody(req),
      http: { req, res },
    };
    if (this.opts.log) {
      const started = performance.now();
      res.on('finish', () => this.logAnswer(request, res.statusCode, started));
    }
    return this.handle(request, res);
  }

  /**
   * Answers one request without a socket, through exactly the code path of HTTP requests
   * (authentication, impersonation, RBAC, fault injection, stats). Watches need a stream and
   * are refused.
   */
  async dispatch(request: InProcessRequest): Promise<InProcessResponse> {
    const headers: Record<string, string | string[]> = {};
    const headersDistinct: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      const values = typeof value === 'string' ? [value] : value;
      headers[name.toLowerCase()] = name.toLowerCase() === 'set-cookie' ? values : values.join(', ');
      headersDistinct[name.toLowerCase()] = values;
    }
    const body =
      typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? Buffer.alloc(0));
    const apiRequest: ApiRequest = {
      method: request.method,
      url: request.url,
      headers,
      headersDistinct,
      body: () => (body.length > MAX_BODY ? Promise.reject(errors.tooLarge()) : Promise.resolve(body)),
    };
    const started = performance.now();
    const res = new RecordedResponse();
    await this.handle(apiRequest, res);
    if (this.opts.log) this.logAnswer(apiRequest, res.status, started);
    if (res.reset) throw new Error(`${request.method} ${request.url}: answer broke off`);
    return { status: res.status, headers: res.headers, body: res.body };
  }

  private logAnswer(req: ApiRequest, status: number, started: number): void {
    this.opts.log?.(
      `${req.method} ${req.url} ${status} ${(performance.now() - started).toFixed(1)}ms ct=${req.headers['content-type'] ?? ''} accept=${req.headers.accept ?? ''} ua=${req.headers['user-agent'] ?? ''}`,
    );
  }

  private async handle(req: ApiRequest, res: ApiResponse): Promise<void> {
    this.stats.requests++;
    const warnings: string[] = [];
    try {
      const url = new URL(req.url, 'http://localhost');
      const q = url.searchParams;
      const info = parseRequestInfo(
        req.method,
        url.pathname,
        boolParam(q.get('watch')),
        q.get('fieldSelector'),
      );
      this.stats.byVerb[info.verb] = (this.stats.byVerb[info.verb] ?? 0) + 1;
      const dryRun = this.dryRun(q);
      if (this.faults.delayMs) await new Promise((r) => setTimeout(r, this.faults.delayMs));
      const fault = this.faults.take({
        verb: info.verb,
        resource: info.resource,
        group: info.group,
        namespace: info.namespace,
      });
      if (fault) throw fault;
      let user = this.authn.authenticate(req.headers.authorization);
      const imp = hasImpersonation(req.headers) ? readImpersonationHeaders(req.headersDistinct) : undefined;
      if (imp) user = impersonate(user, imp, (a) => this.rbac.authorize(a));
      this.authorize(user, info);
      if (!info.resourceRequest) return this.serveNonResource(req, res, info, url);
      await this.serveResource(req, res, info, q, { user, dryRun, warnings });
    } catch (e) {
      this.sendError(res, e, warnings);
    }
  }

  private dryRun(q: URLSearchParams): boolean {
    const values = q.getAll('dryRun');
    if (!values.length) return false;
    for (const v of values)
      if (v !== 'All') throw errors.badRequest(`Invalid value: "${v}": supported values: "All"`);
    return true;
  }

  private authorize(user: UserInfo, info: RequestInfo): void {
    const attrs: Attributes = info.resourceRequest
      ? {
          user,
          verb: info.verb,
          resourceRequest: true,
          apiGroup: info.group,
          resource: info.resource,
          subresource: info.subresource,
          namespace: info.namespace,
          name: info.name ?? info.selectorName,
        }
      : { user, verb: info.verb, resourceRequest: false, path: info.path };
    const d = this.rbac.authorize(attrs);
    if (d.allowed) return;
    if (!info.resourceRequest) throw errors.forbidden(`forbidden: ${d.reason}`);
    const what = info.group ? `${info.resource}.${info.group}` : info.resource;
    throw errors.forbidden(`${what}${info.name ? ` "${info.name}"` : ''} is forbidden: ${d.reason}`, {
      name: info.name,
      group: info.group || undefined,
      kind: info.resource,
    });
  }

  private send(
    res: ApiResponse,
    code: number,
    body: unknown,
    contentType = 'application/json',
    warnings: string[] = [],
  ): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string | number | string[]> = {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
    };
    if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    res.writeHead(code, headers);
    res.end(text);
  }

  private sendError(res: ApiResponse, e: unknown, warnings: string[]): void {
    const err = e instanceof StatusError ? e : errors.internal((e as Error)?.message ?? String(e));
    if (!(e instanceof StatusError)) console.error('kube-test-server: internal error', e);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    this.send(res, err.code, err.toStatus(), 'application/json', warnings);
  }

  private serveNonResource(req: ApiRequest, res: ApiResponse, info: RequestInfo, url: URL): void {
    if (info.verb !== 'get' && info.verb !== 'head') throw errors.methodNotAllowed();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = req.headers.accept;
    const parts = path.split('/').filter(Boolean);
    if (path === '/version') return this.send(res, 200, versionInfo());
    if (['/healthz', '/livez', '/readyz'].includes(path) || /^\/(healthz|livez|readyz)\//.test(path)) {
      return this.send(res, 200, 'ok', 'text/plain; charset=utf-8');
    }
    if (path === '/api' || path === '/apis') {
      const agg = wantsAggregated(accept);
      if (agg) {
        return this.send(
          res,
          200,
          aggregatedDiscovery(this.registry, path === '/api', `apidiscovery.k8s.io/${agg}`),
          `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`,
        );
      }
      return this.send(res, 200, path === '/api' ? apiVersions(url.host) : apiGroupList(this.registry));
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = apiGroup(this.registry, parts[1]);
      if (g) return this.send(res, 200, g);
    }
    if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
      const group = parts[0] === 'api' ? '' : parts[1];
      const list = apiResourceList(this.registry, group, parts[parts.length - 1]);
      if (list) return this.send(res, 200, list);
    }
    if (path === '/openapi/v2') return this.send(res, 200, '', 'application/octet-stream');
    if (path === '/openapi/v3') return this.send(res, 200, openapiV3Root(this.registry));
    if (parts[0] === 'openapi' && parts[1] === 'v3') {
      const rest = parts.slice(2);
      const doc =
        rest[0] === 'api' && rest.length === 2
          ? openapiV3GroupVersion(this.registry, '', rest[1])
          : rest[0] === 'apis' && rest.length === 3
            ? openapiV3GroupVersion(this.registry, rest[1], rest[2])
            : undefined;
      if (doc) return this.send(res, 200, doc);
    }
    throw errors.notFoundPath();
  }

  private async serveResource(
    req: ApiRequest,
    res: ApiResponse,
    info: RequestInfo,
    q: URLSearchParams,
    base: { user: UserInfo; dryRun: boolean; warnings: string[] },
  ): Promise<void> {
    const rt = this.registry.lookup(info.group, info.version, info.resource!);
    if (!rt) throw errors.notFoundPath();
    if (!rt.namespaced && info.namespace && info.resource !== 'namespaces') throw errors.notFoundPath();
    if (info.subresource && !rt.subresources.includes(info.subresource)) throw errors.notFoundPath();
    const ctx: CallContext & { force?: boolean } = {
      user: base.user,
      dryRun: base.dryRun,
      warnings: base.warnings,
      fieldManager: q.get('fieldManager') ?? undefined,
      fieldValidation: q.get('fieldValidation') ?? undefined,
      userAgent: req.headers['user-agent'],
      force: boolParam(q.get('force')),
    };
    const version = info.version;
    const ns = rt.namespaced ? info.namespace : undefined;
    const name = info.name;
    const needsBody = ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(info.verb);
    const body = needsBody ? parseBody(await req.body(), req.headers['content-type'] ?? '') : undefined;
    const reply = (code: number, obj: KubeObject) => {
      if (WRITE_VERBS.has(info.verb) && !ctx.dryRun && !rt.virtual) this.stats.writes++;
      this.send(res, code, obj, 'application/json', base.warnings);
    };

    if (rt.virtual) {
      if (info.verb !== 'create') throw errors.methodNotAllowed();
      return reply(201, answerReview(rt, ns, body, base.user, this.rbac, this.authn));
    }
    if (rt.namespaced && !ns && !['list', 'watch'].includes(info.verb)) throw errors.notFoundPath();
    switch (info.verb) {
      case 'get': {
        if (info.subresource === 'scale') return reply(200, scaleOf(this.api.get(rt, version, ns, name!)));
        const obj = this.api.get(rt, version, ns, name!);
        if (wantsTable(req.headers.accept))
          return reply(200, this.table(rt, [obj], { resourceVersion: obj.metadata?.resourceVersion }, q));
        return reply(200, obj);
      }
      case 'list': {
        const list = this.api.list(rt, version, ns, {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          limit: q.get('limit') ? Number(q.get('limit')) : undefined,
          continue: q.get('continue') ?? undefined,
        });
        if (wantsTable(req.headers.accept)) {
          const items = (list.items as KubeObject[]).map((o) =>
            this.api.present(rt, version, {
              apiVersion: apiVersionOf(rt.group, version),
              kind: rt.kind,
              ...o,
            }),
          );
          return reply(200, this.table(rt, items, list.metadata as Record<string, unknown>, q));
        }
        return reply(200, list);
      }
      case 'watch':
        if (!req.http) throw errors.badRequest('watches are served over HTTP only, not in-process');
        return this.serveWatch(req.http.req, req.http.res, rt, version, ns, q);
      case 'create': {
        if (info.subresource === 'token' && rt.resource === 'serviceaccounts' && !rt.group) {
          return reply(201, answerTokenRequest(this.store, this.authn, ns!, name!, body));
        }
        if (info.name && !info.subresource) throw errors.methodNotAllowed();
        const r = this.api.create(rt, version, ns, body, ctx);
        return reply(r.code, r.object);
      }
      case 'update': {
        if (info.subresource === 'scale')
          return reply(200, updateScale(this.api, rt, version, ns, name!, body, undefined, ctx));
        const sub = info.subresource === 'finalize' ? undefined : info.subresource;
        const r = this.api.update(rt, version, ns, name!, body, sub, ctx);
        return reply(r.code, r.object);
      }
      case 'patch': {
        const type = PATCH_TYPES[mediaType(req.headers['content-type'])];
        if (!type) throw errors.unsupportedMediaType(req.headers['content-type'] ?? '');
        if (info.subresource === 'scale')
          return reply(200, updateScale(this.api, rt, version, ns, name!, body, type, ctx));
        const r = this.api.patch(rt, version, ns, name!, type, body, info.subresource, ctx);
        return reply(r.code, r.object);
      }
      case 'delete': {
        const r = this.api.delete(rt, version, ns, name!, this.deleteOptions(body, q, ctx), ctx);
        return reply(r.code, r.object);
      }
      case 'deletecollection': {
        const r = this.api.deleteCollection(
          rt,
          version,
          ns,
          {
            labelSelector: q.get('labelSelector') ?? undefined,
            fieldSelector: q.get('fieldSelector') ?? undefined,
          },
          this.deleteOptions(body, q, ctx),
          ctx,
        );
        return reply(r.code, r.object);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  private deleteOptions(body: unknown, q: URLSearchParams, ctx: CallContext): DeleteOptions {
    const b = isPlainObject(body) ? body : {};
    if (Array.isArray(b.dryRun) && b.dryRun.includes('All')) ctx.dryRun = true;
    return {
      propagationPolicy:
        (q.get('propagationPolicy') ?? (b.propagationPolicy as string | undefined)) || undefined,
      preconditions: isPlainObject(b.preconditions)
        ? (b.preconditions as DeleteOptions['preconditions'])
        : undefined,
      orphanDependents: b.orphanDependents === true || q.get('orphanDependents') === 'true',
    };
  }

  private table(
    rt: ResourceType,
    objects: KubeObject[],
    meta: Record<string, unknown>,
    q: URLSearchParams,
  ): KubeObject {
    const crd = rt.crd
      ? this.store.get('apiextensions.k8s.io/customresourcedefinitions', undefined, rt.crd)
      : undefined;
    return toTable(rt, objects, meta, q.get('includeObject') ?? undefined, crd);
  }

  private serveWatch(
    req: IncomingMessage,
    res: ServerResponse,
    rt: ResourceType,
    version: string,
    ns: string | undefined,
    q: URLSearchParams,
  ): void {
    const asTable = wantsTable(req.headers.accept);
    const wq: WatchQuery = {
      labelSelector: q.get('labelSelector') ?? undefined,
      fieldSelector: q.get('fieldSelector') ?? undefined,
      resourceVersion: q.get('resourceVersion') ?? undefined,
      sendInitialEvents: boolParam(q.get('sendInitialEvents')),
      allowWatchBookmarks: boolParam(q.get('allowWatchBookmarks')),
    };
    let ended = false;
    let stopWatch: () => void = () => {};
    let timer: NodeJS.Timeout | undefined;
    const end = () => {
      if (ended) return;
      ended = true;
      stopWatch();
      if (timer) clearTimeout(timer);
      this.watches.delete(res);
      if (!res.writableEnded) res.end();
    };
    const sink = {
      send: (type: string, object: KubeObject, json?: string) => {
        if (ended) return;
        if (asTable && type !== 'ERROR' && type !== 'BOOKMARK') {
          object = this.table(rt, [object], { resourceVersion: object.metadata?.resourceVersion }, q);
          json = undefined;
        }
        res.write(`{"type":"${type}","object":${json ?? JSON.stringify(object)}}\n`);
      },
      close: end,
    };
    // Validate the query (selectors, resourceVersion) before committing to a 200 stream.
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    this.watches.add(res);
    req.on('close', end);
    res.on('close', end);
    try {
      stopWatch = this.api.watch(rt, version, ns, wq, sink);
    } catch (e) {
      const err = e instanceof StatusError ? e : errors.internal(String(e));
      sink.send('ERROR', err.toStatus() as KubeObject);
      end();
      return;
    }
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) {
      timer = setTimeout(end, timeout * 1000);
      timer.unref();
    }
  }

  /** How many objects of a kind this instance stores (for tests and the benchmark). */
  count(group: string, resource: string): number {
    return this.store.count(`${group}/${resource}`);
  }

  /** Reads an object straight from the store, bypassing HTTP and RBAC. */
  getObject(
    group: string,
    resource: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const rt = this.registry.get(group, resource);
    return rt ? this.store.get(grOf(rt), rt.namespaced ? namespace : undefined, name) : undefined;
  }
}
