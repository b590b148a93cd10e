import { objectId, scopeResolver, type KubeObject } from '@flotilla/manifests';
import { matchesNamespacePattern, type TenantLimits } from '@flotilla/policy';
import { describeId, type ChangeSetEntry } from './changeset.js';
import type { Identity } from './kube-client.js';
import { isNotFound } from './kube-errors.js';
import type { ResourceManager } from './resource-manager.js';

/**
 * Per-tenant Kubernetes identity. Tenant objects are applied while impersonating the
 * tenant's ServiceAccount, whose RBAC covers exactly the tenant's grant: full rights inside
 * each granted namespace the bundle uses, and rights on cluster-scoped kinds only when the
 * grant lists them. So even if the agent's own policy check were bypassed, the API server
 * refuses anything outside the grant.
 *
 * Namespaces themselves are the exception: RBAC cannot restrict *which* namespaces may be
 * created, so a bundle's Namespace objects whose names match a granted pattern are applied
 * with the agent's own identity (the pattern match is the grant), before the tenant's Roles
 * are bound inside them.
 */
export function tenantServiceAccountName(tenant: string): string {
  return `flotilla-tenant-${tenant}`;
}

export function tenantIdentity(agentNamespace: string, tenant: string): Identity {
  return { user: `system:serviceaccount:${agentNamespace}:${tenantServiceAccountName(tenant)}` };
}

const namespaceGranted = (name: string, limits: TenantLimits | undefined): boolean =>
  limits?.namespaces.some((pattern) => matchesNamespacePattern(name, pattern)) ?? false;

/** Whether the agent applies (or deletes) this object with its own identity rather than the tenant's. */
export function appliedAsAgent(object: KubeObject, limits: TenantLimits | undefined): boolean {
  return (
    object.apiVersion === 'v1' &&
    object.kind === 'Namespace' &&
    namespaceGranted(object.metadata.name, limits)
  );
}

/** Namespaces the bundle uses (or creates) that the tenant's grant covers, sorted. */
export function grantedNamespaces(
  objects: readonly KubeObject[],
  limits: TenantLimits | undefined,
): string[] {
  const isClusterScoped = scopeResolver(objects);
  const used = objects.flatMap((object) => {
    if (object.apiVersion === 'v1' && object.kind === 'Namespace') return [object.metadata.name];
    return !isClusterScoped(object) && object.metadata.namespace ? [object.metadata.namespace] : [];
  });
  return [...new Set(used)].filter((name) => namespaceGranted(name, limits)).sort();
}

export interface ClusterRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The ServiceAccount, its namespace Roles + RoleBindings and (for granted kinds) ClusterRole + binding. */
export function identityObjects(input: {
  agentNamespace: string;
  tenant: string;
  namespaces: readonly string[];
  clusterRules: readonly ClusterRule[];
}): KubeObject[] {
  const name = tenantServiceAccountName(input.tenant);
  const labels = { 'app.kubernetes.io/managed-by': 'flotilla', 'flotilla.dev/tenant': input.tenant };
  const subject = { kind: 'ServiceAccount', name, namespace: input.agentNamespace };
  const rbac = 'rbac.authorization.k8s.io/v1';
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: input.agentNamespace, labels } },
  ];
  for (const namespace of input.namespaces) {
    objects.push(
      {
        apiVersion: rbac,
        kind: 'Role',
        metadata: { name, namespace, labels },
        // The tenant owns its namespaces outright; what it may put there is the policy check's job.
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      },
      {
        apiVersion: rbac,
        kind: 'RoleBinding',
        metadata: { name, namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [subject],
      },
    );
  }
  if (input.clusterRules.length > 0) {
    objects.push(
      { apiVersion: rbac, kind: 'ClusterRole', metadata: { name, labels }, rules: input.clusterRules },
      {
        apiVersion: rbac,
        kind: 'ClusterRoleBinding',
        metadata: { name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [subject],
      },
    );
  }
  return objects;
}

export interface EnsuredIdentity {
  identity: Identity;
  /** Results for the bundle's Namespace objects, applied here with the agent's identity. */
  namespaceEntries: ChangeSetEntry[];
}

/**
 * Makes the tenant's identity match its grant for this bundle. Throws when any identity
 * object cannot be applied: applying tenant objects with a half-made identity would fail
 * anyway, object by object, with less helpful errors.
 */
export async function ensureTenantIdentity(
  manager: ResourceManager,
  input: {
    agentNamespace: string;
    tenant: string;
    limits: TenantLimits | undefined;
    objects: readonly KubeObject[];
  },
): Promise<EnsuredIdentity> {
  const namespaceEntries: ChangeSetEntry[] = [];
  for (const object of input.objects.filter((o) => appliedAsAgent(o, input.limits))) {
    namespaceEntries.push(await manager.apply(object));
  }
  const namespaces: string[] = [];
  for (const name of grantedNamespaces(input.objects, input.limits)) {
    // A Role can only be bound inside an existing namespace; objects bound for a missing one fail on their own.
    if (await manager.get({ group: '', version: 'v1', kind: 'Namespace', name })) namespaces.push(name);
  }
  const objects = identityObjects({
    agentNamespace: input.agentNamespace,
    tenant: input.tenant,
    namespaces,
    clusterRules: await clusterRules(manager, input.limits),
  });
  for (const object of objects) {
    const entry = await manager.apply(object);
    if (entry.action === 'failed') throw new Error(`${describeId(objectId(object))}: ${entry.message}`);
  }
  return { identity: tenantIdentity(input.agentNamespace, input.tenant), namespaceEntries };
}

/** One rule per granted cluster-scoped kind the cluster serves (a kind whose CRD is not installed yet is left out). */
async function clusterRules(
  manager: ResourceManager,
  limits: TenantLimits | undefined,
): Promise<ClusterRule[]> {
  const rules: ClusterRule[] = [];
  for (const { group, kind } of limits?.clusterScopedKinds ?? []) {
    try {
      const version = await manager.discovery.preferredVersion(group);
      const apiVersion = group === '' ? version : `${group}/${version}`;
      const { name } = await manager.discovery.resource(apiVersion, kind);
      rules.push({ apiGroups: [group], resources: [name], verbs: ['*'] });
    } catch (error) {
      // Not served (yet): nothing of that kind can be applied now, so there is nothing to allow.
      if (!isNotFound(error)) throw error;
    }
  }
  return rules;
}
