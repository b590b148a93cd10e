import { encodeRegistrationToken } from '@flotilla/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import { Problem } from '../common/problem.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import { HubMessaging, natsUrl } from '../messaging/hub-messaging.service.js';
import { NatsAuthorityService } from '../messaging/nats-authority.service.js';
import type { Permission } from '../rbac/permissions.js';
import { Authorizer } from '../rbac/authorizer.js';
import { BundleSigner } from '../revisions/bundle-signer.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import type { AfterPurge } from '../tenants/tenant-ownership.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import {
  toClusterDto,
  type CreateClusterDto,
  type ListClustersQuery,
  type UpdateClusterDto,
} from './cluster.dto.js';
import type { ClusterEntity } from './cluster.entity.js';
import { ClustersRepository } from './clusters.repository.js';
import { splitCreds } from './credentials-text.js';
import { installYaml } from './install-manifests.js';
import { parseLabelSelector, SelectorSyntaxError } from './label-selector.js';
import { generateRegistrationSecret, hashRegistrationSecret } from './registration-token.js';

/**
 * Cluster registration and lifecycle. Shared clusters (no tenant) need platform permission;
 * a tenant's own clusters need the permission in that tenant. Tenant users list only their
 * tenants' clusters; platform readers list all. Clusters of a tenant the caller cannot see
 * answer 404, like clusters that do not exist.
 */
@Injectable()
export class ClustersService {
  private readonly offlineAfterMs: number;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly db: Db,
    private readonly clusters: ClustersRepository,
    private readonly tenants: TenantsRepository,
    private readonly authorizer: Authorizer,
    private readonly audit: AuditService,
    private readonly authority: NatsAuthorityService,
    private readonly messaging: HubMessaging,
    private readonly scheduler: SchedulerService,
    private readonly signer: BundleSigner,
  ) {
    this.offlineAfterMs = config.FLOTILLA_CLUSTER_OFFLINE_AFTER_SECONDS * 1000;
  }

  async register(auth: AuthContext, tenant: TenantEntity | undefined, dto: CreateClusterDto) {
    const result = await this.db.transaction(async () => {
      if (await this.clusters.findByName(dto.name))
        throw Problem.conflict(`cluster "${dto.name}" already exists`);
      if (tenant) await this.checkQuota(tenant);
      const cluster = await this.clusters.create({
        name: dto.name,
        tenantId: tenant?.id ?? null,
        labels: dto.labels,
        createdBy: `${auth.principal.kind}:${auth.principal.name}`,
      });
      const after = this.dto(cluster, tenant?.slug ?? null);
      await this.audit.record(auth, {
        action: 'clusters:create',
        tenant,
        target: `cluster/${cluster.name}`,
        after,
      });
      return { cluster, after, token: await this.issueToken(auth, cluster, tenant ?? null) };
    });
    // Bindings selecting its labels are assigned now, so the agent finds them on first connect.
    await this.scheduler.clusterChanged(result.cluster.id);
    return { ...result.after, ...this.tokenAnswer(result.cluster, result.token) };
  }

  async list(auth: AuthContext, tenant: TenantEntity | undefined, query: ListClustersQuery) {
    const selector = query.labelSelector === undefined ? null : selectorOf(query.labelSelector);
    const readable = auth.access.tenantsWith('clusters:read');
    const scope = tenant ? { tenantIds: [tenant.id] } : readable === 'all' ? 'all' : { tenantIds: readable };
    const page = await this.clusters.page(scope, selector, { limit: query.limit, cursor: query.cursor });
    const slugs = await this.tenants.slugsById(page.items.flatMap((cluster) => cluster.tenantId ?? []));
    return {
      ...page,
      items: page.items.map((cluster) =>
        this.dto(cluster, cluster.tenantId ? (slugs.get(cluster.tenantId) ?? null) : null),
      ),
    };
  }

  async get(auth: AuthContext, name: string) {
    const { cluster, tenant } = await this.find(auth, name, 'clusters:read');
    return this.dto(cluster, tenant?.slug ?? null);
  }

  async relabel(auth: AuthContext, name: string, dto: UpdateClusterDto) {
    const { id, after } = await this.db.transaction(async () => {
      const { cluster, tenant } = await this.find(auth, name, 'clusters:write');
      const before = this.dto(cluster, tenant?.slug ?? null);
      cluster.labels = dto.labels;
      const after = this.dto(await this.clusters.save(cluster), tenant?.slug ?? null);
      await this.audit.record(auth, {
        action: 'clusters:update',
        tenant,
        target: `cluster/${name}`,
        before,
        after,
      });
      return { id: cluster.id, after };
    });
    await this.scheduler.clusterChanged(id);
    return after;
  }

  /** Removes the cluster and revokes every NATS credential it has: its agent is cut off at once. */
  async delete(auth: AuthContext, name: string): Promise<void> {
    const cluster = await this.db.transaction(async () => {
      const { cluster, tenant } = await this.find(auth, name, 'clusters:write');
      await this.revokeAll([cluster]);
      await this.clusters.delete(cluster.id);
      await this.audit.record(auth, {
        action: 'clusters:delete',
        tenant,
        target: `cluster/${name}`,
        before: this.dto(cluster, tenant?.slug ?? null),
      });
      return cluster;
    });
    await this.authority.push();
    await this.forgetAssignment(cluster.id);
  }

  /** A deleted cluster's published assignment: its KV key and what the scheduler kept of it. */
  private async forgetAssignment(clusterId: string): Promise<void> {
    await this.messaging.deleteAssignment(clusterId).catch(() => undefined);
    await this.scheduler.clusterRemoved(clusterId);
  }

  /** A new one-time registration token (the earlier ones stay valid until used or expired). */
  async newToken(auth: AuthContext, name: string) {
    const { cluster, token } = await this.db.transaction(async () => {
      const { cluster, tenant } = await this.find(auth, name, 'clusters:write');
      return { cluster, token: await this.issueToken(auth, cluster, tenant) };
    });
    return this.tokenAnswer(cluster, token);
  }

  /** The install manifests, carrying a freshly issued registration token. */
  async install(auth: AuthContext, name: string): Promise<string> {
    const answer = await this.newToken(auth, name);
    return installYaml({
      clusterName: name,
      natsUrl: answer.natsUrl,
      registrationToken: answer.registrationToken,
      image: this.config.FLOTILLA_AGENT_IMAGE,
      bundlePublicKey: this.signer.publicKey,
    });
  }

  /**
   * Revokes the agent's current credential (NATS closes its connection) and issues a new
   * registration token for it to re-register with.
   */
  async rotateCredentials(auth: AuthContext, name: string) {
    const { cluster, token } = await this.db.transaction(async () => {
      const { cluster, tenant } = await this.find(auth, name, 'clusters:write');
      const before = this.dto(cluster, tenant?.slug ?? null);
      if (cluster.credentialPublicKey)
        await this.authority.revoke([cluster.credentialPublicKey], { push: false });
      cluster.credentialPublicKey = null;
      const saved = await this.clusters.save(cluster);
      await this.audit.record(auth, {
        action: 'clusters:rotate-credentials',
        tenant,
        target: `cluster/${name}`,
        before,
        after: this.dto(saved, tenant?.slug ?? null),
      });
      return { cluster: saved, token: await this.issueToken(auth, saved, tenant) };
    });
    await this.authority.push();
    return this.tokenAnswer(cluster, token);
  }

  /** Offboarding a tenant: its clusters go, with their credentials. */
  async purgeTenant(tenantId: string): Promise<AfterPurge> {
    const owned = await this.clusters.listInTenant(tenantId);
    // Pushed at once (inside the offboarding transaction): nothing else would push it soon.
    await this.revokeAll(owned, true);
    for (const cluster of owned) await this.clusters.delete(cluster.id);
    return async () => {
      for (const cluster of owned) await this.forgetAssignment(cluster.id);
    };
  }

  private async revokeAll(clusters: ClusterEntity[], push = false): Promise<void> {
    const keys: string[] = [];
    for (const cluster of clusters) {
      if (cluster.credentialPublicKey) keys.push(cluster.credentialPublicKey);
      keys.push(...(await this.clusters.liveBootstrapKeys(cluster.id)));
    }
    await this.authority.revoke(keys, { push });
  }

  private async find(auth: AuthContext, name: string, permission: Permission) {
    const cluster = await this.clusters.findByName(name);
    if (!cluster) throw Problem.notFound(`cluster "${name}"`);
    await this.authorizer.require(auth, permission, cluster.tenantId, `cluster "${name}"`);
    const tenant = cluster.tenantId
      ? {
          id: cluster.tenantId,
          slug: (await this.tenants.slugsById([cluster.tenantId])).get(cluster.tenantId)!,
        }
      : null;
    return { cluster, tenant };
  }

  private async checkQuota(tenant: TenantEntity): Promise<void> {
    const limit = tenant.quotas.clusters;
    if (limit !== undefined && (await this.clusters.countInTenant(tenant.id)) >= limit) {
      throw Problem.conflict(`tenant "${tenant.slug}" has reached its quota of ${limit} clusters`);
    }
  }

  /** Stores only the secret's hash; the token (with its bootstrap credential) exists only in the answer. */
  private async issueToken(
    auth: AuthContext,
    cluster: ClusterEntity,
    tenant: { id: string; slug: string } | null,
  ): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.config.FLOTILLA_REGISTRATION_TOKEN_TTL_SECONDS * 1000);
    const secret = generateRegistrationSecret();
    const bootstrap = await this.authority.authority.mintBootstrapCredentials(
      cluster.id,
      Math.floor(expiresAt.getTime() / 1000),
    );
    const row = await this.clusters.createToken({
      clusterId: cluster.id,
      secretHash: hashRegistrationSecret(secret),
      bootstrapPublicKey: bootstrap.userPublicKey,
      expiresAt,
      createdBy: `${auth.principal.kind}:${auth.principal.name}`,
    });
    await this.audit.record(auth, {
      action: 'clusters:issue-token',
      tenant,
      target: `cluster/${cluster.name}`,
      after: { tokenId: row.id, expiresAt: expiresAt.toISOString() },
    });
    const token = encodeRegistrationToken({ cluster: cluster.id, secret, ...splitCreds(bootstrap.creds) });
    return { token, expiresAt };
  }

  private tokenAnswer(cluster: ClusterEntity, issued: { token: string; expiresAt: Date }) {
    const hub = this.config.FLOTILLA_PUBLIC_URL ?? `http://localhost:${this.config.FLOTILLA_PORT}`;
    return {
      registrationToken: issued.token,
      registrationTokenExpiresAt: issued.expiresAt.toISOString(),
      natsUrl: this.agentNatsUrl(),
      installCommand:
        `curl -fsSL -H "Authorization: Bearer $FLOTILLA_TOKEN" ` +
        `${hub.replace(/\/$/, '')}/api/v1/clusters/${cluster.name}/install.yaml | kubectl apply -f -`,
    };
  }

  private agentNatsUrl(): string {
    return this.config.FLOTILLA_NATS_PUBLIC_URL ?? natsUrl(this.config);
  }

  private dto(cluster: ClusterEntity, tenantSlug: string | null) {
    return toClusterDto(cluster, tenantSlug, this.offlineAfterMs);
  }
}

/** Parses `labelSelector` from a query; a syntax error is a 400 naming that field. */
export function selectorOf(text: string) {
  try {
    return parseLabelSelector(text);
  } catch (error) {
    if (!(error instanceof SelectorSyntaxError)) throw error;
    throw Problem.validation([{ field: 'labelSelector', message: error.message }]);
  }
}
