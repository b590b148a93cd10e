import { Module, OnModuleInit } from '@nestjs/common';
import { GitOpsModule } from '../gitops/gitops.module.js';
import { RbacModule } from '../rbac/rbac.module.js';
import { TenantOwnership } from '../tenants/tenant-ownership.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ClusterAgentsService } from './cluster-agents.service.js';
import { ClusterReportPruner } from './cluster-report-pruner.js';
import { ClustersRepository } from './clusters.repository.js';
import { ClustersController } from './clusters.controller.js';
import { ClustersService } from './clusters.service.js';

@Module({
  // GitOps: a cluster's labels decide its assignment; its install manifests carry the bundle key.
  imports: [RbacModule, TenantsModule, GitOpsModule],
  controllers: [ClustersController],
  providers: [ClustersService, ClusterAgentsService, ClusterReportPruner],
  exports: [ClustersService],
})
export class ClustersModule implements OnModuleInit {
  constructor(
    private readonly ownership: TenantOwnership,
    private readonly clusters: ClustersRepository,
    private readonly service: ClustersService,
  ) {}

  onModuleInit(): void {
    this.ownership.register({
      name: 'clusters',
      count: (tenantId) => this.clusters.countInTenant(tenantId),
      purge: (tenantId) => this.service.purgeTenant(tenantId),
    });
  }
}
