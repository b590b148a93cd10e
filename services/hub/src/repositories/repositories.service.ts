import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import type { PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import { BindingsRepository } from '../bindings/bindings.repository.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import type { GitRepositoryEntity } from './git-repository.entity.js';
import { GitRepositoriesRepository } from './git-repositories.repository.js';
import { checkRepositoryFields } from './repository-checks.js';
import { toRepositoryDto, type CreateRepositoryDto, type UpdateRepositoryDto } from './repository.dto.js';
import { RefreshService } from './refresh.service.js';
import { RepositorySecrets } from './repository-secrets.js';

@Injectable()
export class RepositoriesService {
  constructor(
    private readonly db: Db,
    private readonly repositories: GitRepositoriesRepository,
    private readonly bindings: BindingsRepository,
    private readonly secrets: RepositorySecrets,
    private readonly refresher: RefreshService,
    private readonly audit: AuditService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** The answer carries `webhookSecret`: shown this once, never again. */
  async create(auth: AuthContext, tenant: TenantEntity, dto: CreateRepositoryDto) {
    await checkRepositoryFields(dto, this.config.FLOTILLA_GIT_ALLOWED_HOSTS);
    const id = randomUUID();
    const webhookSecret = RepositorySecrets.generateWebhookSecret();
    return this.db.transaction(async () => {
      if (await this.repositories.findByName(tenant.id, dto.name))
        throw Problem.conflict(`repository "${dto.name}" already exists in tenant ${tenant.slug}`);
      const saved = await this.repositories.insert({
        id,
        tenantId: tenant.id,
        name: dto.name,
        url: dto.url,
        credentialsSealed: this.secrets.sealCredentials(id, dto.credentials),
        webhookSecretSealed: this.secrets.sealWebhookSecret(id, webhookSecret),
        pollIntervalSeconds: dto.pollInterval,
        verification: dto.verification,
        lastCommits: {},
        lastFetchedAt: null,
        lastError: null,
      });
      const after = toRepositoryDto(saved, tenant.slug, Boolean(dto.credentials));
      await this.audit.record(auth, {
        action: 'repositories:create',
        tenant,
        target: `repository/${dto.name}`,
        after,
      });
      return { ...after, webhookSecret };
    });
  }

  async list(tenant: TenantEntity, page: PageQuery) {
    const result = await this.repositories.page(tenant.id, page);
    const withCredentials = await this.repositories.withCredentials(result.items.map((repo) => repo.id));
    return {
      ...result,
      items: result.items.map((repo) => toRepositoryDto(repo, tenant.slug, withCredentials.has(repo.id))),
    };
  }

  async get(tenant: TenantEntity, name: string) {
    return this.dto(await this.find(tenant, name), tenant);
  }

  async update(auth: AuthContext, tenant: TenantEntity, name: string, dto: UpdateRepositoryDto) {
    await checkRepositoryFields(dto, this.config.FLOTILLA_GIT_ALLOWED_HOSTS);
    return this.db.transaction(async () => {
      const repo = await this.find(tenant, name);
      const before = await this.dto(repo, tenant);
      const { credentials, pollInterval, ...rest } = dto;
      await this.repositories.update(repo.id, {
        ...rest,
        ...(pollInterval !== undefined && { pollIntervalSeconds: pollInterval }),
        ...(credentials !== undefined && {
          credentialsSealed: this.secrets.sealCredentials(repo.id, credentials),
        }),
      });
      const after = await this.dto((await this.repositories.findById(repo.id))!, tenant);
      await this.audit.record(auth, {
        action: 'repositories:update',
        tenant,
        target: `repository/${name}`,
        before,
        after,
      });
      return after;
    });
  }

  async remove(auth: AuthContext, tenant: TenantEntity, name: string) {
    await this.db.transaction(async () => {
      const repo = await this.find(tenant, name);
      const used = await this.bindings.countForRepository(repo.id);
      if (used)
        throw Problem.conflict(`repository "${name}" is used by ${used} binding(s); delete them first`);
      await this.repositories.delete(repo.id);
      await this.audit.record(auth, {
        action: 'repositories:delete',
        tenant,
        target: `repository/${name}`,
        before: await this.dto(repo, tenant),
      });
    });
  }

  /** Fetches now and runs every binding of the repository through the pipeline. */
  async refresh(tenant: TenantEntity, name: string) {
    const repo = await this.find(tenant, name);
    const report = await this.refresher.refreshRepository(repo.id);
    return { ...(await this.dto((await this.repositories.findById(repo.id))!, tenant)), refresh: report };
  }

  private async dto(repo: GitRepositoryEntity, tenant: TenantEntity) {
    const withCredentials = await this.repositories.withCredentials([repo.id]);
    return toRepositoryDto(repo, tenant.slug, withCredentials.has(repo.id));
  }

  async find(tenant: TenantEntity, name: string): Promise<GitRepositoryEntity> {
    const repo = await this.repositories.findByName(tenant.id, name);
    if (!repo) throw Problem.notFound(`repository "${name}" in tenant ${tenant.slug}`);
    return repo;
  }
}
