import type { BindingEntity } from './binding.entity.js';
import type { RevisionEntity } from '../revisions/revision.entity.js';

export function toRevisionDto(revision: RevisionEntity) {
  return {
    number: revision.number,
    commit: revision.commit,
    status: revision.status,
    bundleDigest: revision.bundleDigest,
    checks: revision.checks,
    createdAt: revision.createdAt.toISOString(),
  };
}

/** The stored fields of a binding, as the API shows them. */
export function toBindingDto(
  binding: BindingEntity,
  names: { tenant: string; repository: string; pinned: RevisionEntity | null },
) {
  return {
    id: binding.id,
    name: binding.name,
    tenant: names.tenant,
    repository: names.repository,
    ref: binding.ref,
    path: binding.path,
    clusterSelector: binding.clusterSelector,
    namespace: binding.namespace,
    syncPolicy: binding.syncPolicy,
    suspended: binding.suspended,
    pinned: names.pinned ? { revision: names.pinned.number, commit: names.pinned.commit } : null,
    lastError: binding.lastError,
    createdAt: binding.createdAt.toISOString(),
    updatedAt: binding.updatedAt.toISOString(),
  };
}
