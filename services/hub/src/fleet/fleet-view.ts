import type { FleetRow } from './fleet.repository.js';

/** One cell of the matrix as the API (and the CLI's `status` table) shows it. */
export function toFleetItem(row: FleetRow) {
  return {
    tenant: row.tenant,
    binding: row.binding,
    cluster: row.cluster,
    revision: row.revision,
    commit: row.commit,
    syncState: row.syncState,
    health: row.health,
    lastError: row.errorReason ? `${row.errorReason}: ${row.errorMessage ?? ''}` : null,
    updatedAt: row.updatedAt.toISOString(),
  };
}
