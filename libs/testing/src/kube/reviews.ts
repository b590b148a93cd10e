/**
 * Create-only review kinds (access reviews, rules reviews, self-subject and token reviews)
 * and the TokenRequest subresource: answers computed from RBAC and authentication, nothing stored.
 */
import { Authenticator, parseServiceAccountUser, serviceAccountGroups } from './authn.js';
import { errors } from './errors.js';
import { Attributes, RbacAuthorizer } from './rbac.js';
import { ResourceType } from './resource-registry.js';
import { ObjectStore } from './store.js';
import { isPlainObject, KubeObject, nowTimestamp, UserInfo } from './types.js';

/** SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview, TokenReview. */
export function answerReview(
  rt: ResourceType,
  ns: string | undefined,
  body: unknown,
  caller: UserInfo,
  rbac: RbacAuthorizer,
  authn: Authenticator,
): KubeObject {
  if (!isPlainObject(body)) throw errors.badRequest('missing body');
  const spec = (isPlainObject(body.spec) ? body.spec : {}) as Record<string, unknown>;
  const out: KubeObject = { apiVersion: `${rt.group}/v1`, kind: rt.kind, metadata: {}, spec };
  switch (rt.kind) {
    case 'SelfSubjectAccessReview':
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview': {
      const subject: UserInfo =
        rt.kind === 'SelfSubjectAccessReview'
          ? caller
          : {
              name: String(spec.user ?? ''),
              groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
            };
      if (rt.kind !== 'SelfSubjectAccessReview' && !subject.name && !subject.groups.length) {
        throw errors.invalid(rt.group, rt.kind, '', [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: at least one of user or group must be specified',
            field: 'spec.user',
          },
        ]);
      }
      const sa = parseServiceAccountUser(subject.name);
      if (rt.kind !== 'SelfSubjectAccessReview' && sa && !subject.groups.length)
        subject.groups = serviceAccountGroups(sa.namespace);
      const ra = isPlainObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
      const nra = isPlainObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
      const attrs: Attributes = ra
        ? {
            user: subject,
            verb: String(ra.verb ?? ''),
            resourceRequest: true,
            apiGroup: String(ra.group ?? ''),
            resource: String(ra.resource ?? ''),
            subresource: ra.subresource ? String(ra.subresource) : undefined,
            namespace:
              rt.kind === 'LocalSubjectAccessReview' ? ns : ra.namespace ? String(ra.namespace) : undefined,
            name: ra.name ? String(ra.name) : undefined,
          }
        : {
            user: subject,
            verb: String(nra?.verb ?? ''),
            resourceRequest: false,
            path: String(nra?.path ?? ''),
          };
      const d = rbac.authorize(attrs);
      out.status = d.allowed ? { allowed: true, reason: 'RBAC: allowed' } : { allowed: false };
      if (rt.kind === 'LocalSubjectAccessReview') out.metadata = { namespace: ns };
      return out;
    }
    case 'SelfSubjectRulesReview': {
      const rules = rbac.rulesFor(caller, spec.namespace ? String(spec.namespace) : undefined);
      out.status = {
        resourceRules: rules
          .filter((r) => !r.nonResourceURLs?.length)
          .map((r) => ({
            verbs: r.verbs,
            apiGroups: r.apiGroups ?? [],
            resources: r.resources ?? [],
            ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
          })),
        nonResourceRules: rules
          .filter((r) => r.nonResourceURLs?.length)
          .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
        incomplete: false,
      };
      return out;
    }
    case 'SelfSubjectReview':
      delete out.spec;
      out.status = {
        userInfo: {
          username: caller.name,
          groups: caller.groups,
          ...(caller.uid ? { uid: caller.uid } : {}),
        },
      };
      return out;
    case 'TokenReview': {
      const who = authn.review(String(spec.token ?? ''));
      out.status = who
        ? {
            authenticated: true,
            user: { username: who.name, groups: who.groups, ...(who.uid ? { uid: who.uid } : {}) },
            audiences: spec.audiences,
          }
        : { authenticated: false, error: 'invalid bearer token' };
      out.spec = { ...spec, token: undefined };
      return out;
    }
  }
  throw errors.methodNotAllowed();
}

/** The TokenRequest subresource of a ServiceAccount (`kubectl create token`). */
export function answerTokenRequest(
  store: ObjectStore,
  authn: Authenticator,
  ns: string,
  name: string,
  body: unknown,
): KubeObject {
  const sa = store.get('/serviceaccounts', ns, name);
  if (!sa) throw errors.notFound('', 'serviceaccounts', name);
  const spec = (isPlainObject(body) && isPlainObject(body.spec) ? body.spec : {}) as Record<string, unknown>;
  const seconds = Number(spec.expirationSeconds ?? 3600) || 3600;
  const { token, expiresAt } = authn.serviceAccountToken(
    { namespace: ns, name, uid: sa.metadata?.uid },
    seconds,
  );
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name, namespace: ns, creationTimestamp: nowTimestamp() },
    spec: {
      audiences: spec.audiences ?? ['https://kubernetes.default.svc.cluster.local'],
      expirationSeconds: seconds,
      boundObjectRef: spec.boundObjectRef ?? null,
    },
    status: { token, expirationTimestamp: expiresAt!.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
}
