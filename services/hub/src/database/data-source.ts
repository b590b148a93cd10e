import { DataSource } from 'typeorm';
import { BindingEntity } from '../bindings/binding.entity.js';
import { GrantEntity } from '../grants/grant.entity.js';
import { GitRepositoryEntity } from '../repositories/git-repository.entity.js';
import { BundleEntity } from '../revisions/bundle.entity.js';
import { RevisionEntity } from '../revisions/revision.entity.js';
import { AssignmentStateEntity } from '../scheduler/assignment-state.entity.js';
import { DeploymentStatusEntity } from '../deployments/deployment-status.entity.js';
import { SyncHistoryEntity } from '../deployments/sync-history.entity.js';
import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { ClusterReportEntity } from '../clusters/cluster-report.entity.js';
import { ClusterEntity } from '../clusters/cluster.entity.js';
import { RegistrationTokenEntity } from '../clusters/registration-token.entity.js';
import { GroupEntity } from '../groups/group.entity.js';
import { RoleBindingEntity } from '../rbac/role-binding.entity.js';
import { RoleEntity } from '../rbac/role.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { ApiTokenEntity } from '../tokens/api-token.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { Identity1764280000000 } from './migrations/1764280000000-identity.js';
import { Audit1764280000001 } from './migrations/1764280000001-audit.js';
import { Clusters1764290000000 } from './migrations/1764290000000-clusters.js';
import { BootstrapRevocation1764290000001 } from './migrations/1764290000001-bootstrap-revocation.js';
import { GitOps1764300000000 } from './migrations/1764300000000-gitops.js';
import { Deployments1764310000000 } from './migrations/1764310000000-deployments.js';
import { Fleet1764320000000 } from './migrations/1764320000000-fleet.js';
import { FleetRollup1764330000000 } from './migrations/1764330000000-fleet-rollup.js';
import { ClusterReportRetention1764340000000 } from './migrations/1764340000000-cluster-report-retention.js';

// Listed explicitly (not globbed) so the SWC build and vitest load the same classes.
// A new module appends its entities and migrations here.
export const entities = [
  TenantEntity,
  UserEntity,
  GroupEntity,
  ApiTokenEntity,
  RoleEntity,
  RoleBindingEntity,
  AuditEventEntity,
  ClusterEntity,
  RegistrationTokenEntity,
  ClusterReportEntity,
  GrantEntity,
  GitRepositoryEntity,
  BindingEntity,
  RevisionEntity,
  BundleEntity,
  AssignmentStateEntity,
  DeploymentStatusEntity,
  SyncHistoryEntity,
];
export const migrations = [
  Identity1764280000000,
  Audit1764280000001,
  Clusters1764290000000,
  BootstrapRevocation1764290000001,
  GitOps1764300000000,
  Deployments1764310000000,
  Fleet1764320000000,
  FleetRollup1764330000000,
  ClusterReportRetention1764340000000,
];

export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // Status ingest alone keeps up to STATUS_LANES (16) transactions open; the rest serve the
    // API, the scheduler and the fleet view (pg's default pool is 10).
    poolSize: 24,
  });
}
