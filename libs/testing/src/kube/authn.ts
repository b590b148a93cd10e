/**
 * Authentication (static bearer tokens, service account tokens) and impersonation
 * (`Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid`), as kube-apiserver does them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { errors } from './errors.js';
import { Attributes, Decision, MASTERS_GROUP, SA_PREFIX } from './rbac.js';
import { UserInfo } from './types.js';

export const AUTHENTICATED = 'system:authenticated';
export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export interface TokenIdentity {
  user: string;
  groups?: string[];
}

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid?: string;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, AUTHENTICATED];
}

export function parseServiceAccountUser(name: string): { namespace: string; name: string } | undefined {
  if (!name.startsWith(SA_PREFIX)) return undefined;
  const [namespace, sa, ...rest] = name.slice(SA_PREFIX.length).split(':');
  return namespace && sa && rest.length === 0 ? { namespace, name: sa } : undefined;
}

export class Authenticator {
  readonly adminToken: string;
  private readonly tokens = new Map<string, UserInfo>();
  private readonly key = randomBytes(32);

  constructor(
    tokens: Record<string, TokenIdentity>,
    /** Current uid of a service account, or undefined when it does not exist. */
    private readonly serviceAccountUid: (namespace: string, name: string) => string | undefined,
    /** Identity of requests without credentials (undefined: 401). */
    private readonly anonymous: UserInfo | undefined,
  ) {
    this.adminToken = `admin-${randomBytes(16).toString('hex')}`;
    this.tokens.set(this.adminToken, { name: 'kubernetes-admin', groups: [MASTERS_GROUP, AUTHENTICATED] });
    for (const [token, id] of Object.entries(tokens)) {
      const groups = [...(id.groups ?? [])];
      if (!groups.includes(AUTHENTICATED)) groups.push(AUTHENTICATED);
      this.tokens.set(token, { name: id.user, groups });
    }
  }

  addToken(token: string, id: TokenIdentity): void {
    const groups = [...(id.groups ?? [])];
    if (!groups.includes(AUTHENTICATED)) groups.push(AUTHENTICATED);
    this.tokens.set(token, { name: id.user, groups });
  }

  /** A JWT-shaped token for a service account, valid while that account exists (with the same uid). */
  serviceAccountToken(
    sa: ServiceAccountRef,
    expirationSeconds?: number,
  ): { token: string; expiresAt?: Date } {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: `${SA_PREFIX}${sa.namespace}:${sa.name}`,
      iat: now,
      'kubernetes.io': {
        namespace: sa.namespace,
        serviceaccount: { name: sa.name, ...(sa.uid ? { uid: sa.uid } : {}) },
      },
    };
    if (expirationSeconds) payload.exp = now + expirationSeconds;
    const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
    const sig = createHmac('sha256', this.key).update(head).digest('base64url');
    return {
      token: `${head}.${sig}`,
      expiresAt: expirationSeconds ? new Date((now + expirationSeconds) * 1000) : undefined,
    };
  }

  private verifyServiceAccountToken(token: string): UserInfo | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest();
    const got = Buffer.from(parts[2], 'base64url');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return undefined;
    let payload: {
      exp?: number;
      'kubernetes.io'?: { namespace?: string; serviceaccount?: { name?: string; uid?: string } };
    };
    try {
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (payload.exp && payload.exp * 1000 < Date.now()) return undefined;
    const ns = payload['kubernetes.io']?.namespace;
    const name = payload['kubernetes.io']?.serviceaccount?.name;
    if (!ns || !name) return undefined;
    const uid = this.serviceAccountUid(ns, name);
    if (uid === undefined) return undefined;
    const boundUid = payload['kubernetes.io']?.serviceaccount?.uid;
    if (boundUid && boundUid !== uid) return undefined;
    return { name: `${SA_PREFIX}${ns}:${name}`, groups: serviceAccountGroups(ns), uid };
  }

  /** The caller of a request from its Authorization header; throws 401 for bad credentials. */
  authenticate(authorization: string | undefined): UserInfo {
    if (!authorization) {
      if (this.anonymous) return this.anonymous;
      throw errors.unauthorized();
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw errors.unauthorized();
    const user = this.tokens.get(m[1]) ?? this.verifyServiceAccountToken(m[1]);
    if (!user) throw errors.unauthorized();
    return user;
  }

  /** Looks up a token without throwing (TokenReview). */
  review(token: string): UserInfo | undefined {
    return this.tokens.get(token) ?? this.verifyServiceAccountToken(token);
  }
}

export interface ImpersonationHeaders {
  user?: string;
  groups: string[];
  uid?: string;
  extra: Record<string, string[]>;
}

export function readImpersonationHeaders(
  headers: Record<string, string[] | undefined>,
): ImpersonationHeaders | undefined {
  const user = headers['impersonate-user']?.[0];
  const groups = headers['impersonate-group'] ?? [];
  const uid = headers['impersonate-uid']?.[0];
  const extra: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith('impersonate-extra-') && v)
      extra[decodeURIComponent(k.slice('impersonate-extra-'.length))] = v;
  }
  if (user === undefined && groups.length === 0 && uid === undefined && Object.keys(extra).length === 0)
    return undefined;
  return { user, groups, uid, extra };
}

/**
 * The identity a request acts as after impersonation. Every impersonated attribute needs
 * the `impersonate` verb on users / groups / serviceaccounts / uids / userextras.
 */
export function impersonate(
  requester: UserInfo,
  h: ImpersonationHeaders,
  authorize: (a: Attributes) => Decision,
): UserInfo {
  if (!h.user) {
    throw errors.internal('requested impersonation of groups, uid or extra without impersonating a user');
  }
  const check = (a: Omit<Attributes, 'user' | 'verb' | 'resourceRequest'>) => {
    const d = authorize({ user: requester, verb: 'impersonate', resourceRequest: true, ...a });
    if (!d.allowed) {
      const what = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
      const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
      throw errors.forbidden(
        `${a.resource} "${a.name}" is forbidden: User "${requester.name}" cannot impersonate resource "${what}" in API group "${a.apiGroup}" ${scope}`,
        { name: a.name, group: a.apiGroup || undefined, kind: a.resource },
      );
    }
  };
  const sa = parseServiceAccountUser(h.user);
  if (sa) check({ apiGroup: '', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name });
  else check({ apiGroup: '', resource: 'users', name: h.user });
  for (const g of h.groups) check({ apiGroup: '', resource: 'groups', name: g });
  if (h.uid) check({ apiGroup: 'authentication.k8s.io', resource: 'uids', name: h.uid });
  for (const [k, values] of Object.entries(h.extra)) {
    for (const v of values)
      check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: k, name: v });
  }
  let groups = [...h.groups];
  if (sa && groups.length === 0) groups = serviceAccountGroups(sa.namespace);
  if (h.user !== ANONYMOUS.name && !groups.includes(AUTHENTICATED)) groups.push(AUTHENTICATED);
  return { name: h.user, groups, uid: h.uid };
}
