/**
 * Discovery documents: /version, /api, /apis (legacy and aggregated v2), per-group-version
 * resource lists, and the minimal OpenAPI v3 that makes kubectl leave validation to the server.
 */
import { apiVersionOf, ResourceRegistry, ResourceType } from './resource-registry.js';

export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4' };

export function versionInfo(): Record<string, string> {
  return {
    major: KUBE_VERSION.major,
    minor: KUBE_VERSION.minor,
    gitVersion: KUBE_VERSION.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

const SUBRESOURCE_KINDS: Record<
  string,
  { group: string; version: string; kind: string; verbs: string[] } | undefined
> = {
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  finalize: undefined,
};

function subresourceInfo(rt: ResourceType, version: string, sub: string) {
  const special = SUBRESOURCE_KINDS[sub];
  if (special) return special;
  if (sub === 'finalize') return { group: rt.group, version, kind: rt.kind, verbs: ['update'] };
  return { group: rt.group, version, kind: rt.kind, verbs: ['get', 'patch', 'update'] };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(group: string, versions: string[]) {
  return {
    name: group,
    versions: versions.map((v) => ({ groupVersion: apiVersionOf(group, v), version: v })),
    preferredVersion: { groupVersion: apiVersionOf(group, versions[0]), version: versions[0] },
  };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groups()
      .filter((g) => g.group !== '')
      .map((g) => groupEntry(g.group, g.versions)),
  };
}

export function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  const g = registry.groups().find((x) => x.group === group);
  if (!g || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g.group, g.versions) };
}

export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const types = registry.resourcesIn(group, version);
  if (!types.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const rt of types) {
    resources.push({
      name: rt.resource,
      singularName: rt.singular,
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: rt.verbs,
      ...(rt.shortNames.length ? { shortNames: rt.shortNames } : {}),
      ...(rt.categories.length ? { categories: rt.categories } : {}),
    });
    for (const sub of rt.subresources) {
      const info = subresourceInfo(rt, version, sub);
      resources.push({
        name: `${rt.resource}/${sub}`,
        singularName: '',
        namespaced: rt.namespaced,
        ...(info.group !== rt.group ? { group: info.group, version: info.version } : {}),
        kind: info.kind,
        verbs: info.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

/** Aggregated discovery (apidiscovery.k8s.io/v2 or v2beta1) for /api (legacy) or /apis. */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  legacy: boolean,
  apiVersion: string,
): Record<string, unknown> {
  const items = registry
    .groups()
    .filter((g) => (legacy ? g.group === '' : g.group !== ''))
    .map((g) => ({
      metadata: g.group ? { name: g.group } : {},
      versions: g.versions.map((version) => ({
        version,
        resources: registry.resourcesIn(g.group, version).map((rt) => ({
          resource: rt.resource,
          responseKind: { group: rt.group, version, kind: rt.kind },
          scope: rt.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: rt.singular,
          verbs: rt.verbs,
          ...(rt.shortNames.length ? { shortNames: rt.shortNames } : {}),
          ...(rt.categories.length ? { categories: rt.categories } : {}),
          ...(rt.subresources.length
            ? {
                subresources: rt.subresources.map((sub) => {
                  const info = subresourceInfo(rt, version, sub);
                  return {
                    subresource: sub,
                    responseKind: { group: info.group, version: info.version, kind: info.kind },
                    verbs: info.verbs,
                  };
                }),
              }
            : {}),
        })),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept || !accept.includes('as=APIGroupDiscoveryList')) return undefined;
  for (const part of accept.split(',')) {
    if (!part.includes('as=APIGroupDiscoveryList') || !part.includes('g=apidiscovery.k8s.io')) continue;
    if (/v=v2(;|$|\s)/.test(part)) return 'v2';
    if (part.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

/** /openapi/v3: one document per group-version. */
export function openapiV3Root(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const g of registry.groups()) {
    for (const v of g.versions) {
      const p = g.group ? `apis/${g.group}/${v}` : `api/${v}`;
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${registry.generation}` };
    }
  }
  return { paths };
}

/**
 * A group-version document that names every kind's PATCH operation with its
 * `fieldValidation` parameter: kubectl then validates server-side instead of with schemas.
 */
export function openapiV3GroupVersion(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const types = registry.resourcesIn(group, version);
  if (!types.length) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const param = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  for (const rt of types) {
    const gvk = { group: rt.group, version, kind: rt.kind };
    const base = rt.namespaced
      ? `${prefix}/namespaces/{namespace}/${rt.resource}`
      : `${prefix}/${rt.resource}`;
    const op = (action: string) => ({
      operationId: `${action}${rt.kind}`,
      parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')],
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { description: 'OK' } },
    });
    if (rt.virtual) {
      paths[base] = { post: op('post') };
    } else {
      paths[base] = { post: op('post') };
      paths[`${base}/{name}`] = {
        put: op('put'),
        patch: { ...op('patch'), parameters: [...op('patch').parameters, param('force')] },
      };
    }
    const schemaName = `${group || 'core'}.${version}.${rt.kind}`;
    schemas[schemaName] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [gvk],
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion },
    paths,
    components: { schemas },
  };
}
