import {
  negotiate,
  type AssignmentResponse,
  type HelloRequest,
  type HelloResponse,
  type RegisterRequest,
  type RegisterResponse,
  type StatusMessage,
} from '@flotilla/contracts';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Db } from '../database/db.js';
import { HubMessaging } from '../messaging/hub-messaging.service.js';
import { NatsAuthorityService } from '../messaging/nats-authority.service.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import type { ClusterEntity } from './cluster.entity.js';
import { ClustersRepository } from './clusters.repository.js';
import { hashRegistrationSecret } from './registration-token.js';

const refused = (reason: Extract<RegisterResponse, { status: 'refused' }>['reason'], message: string) => ({
  response: { status: 'refused', reason, message } as RegisterResponse,
});

/**
 * What the hub answers agents over NATS: registration, hello, assignment reads, and status
 * ingest. The cluster is always the one named by the subject (which the sender's credential
 * confines to its own cluster), never one named in a payload.
 */
@Injectable()
export class ClusterAgentsService implements OnModuleInit {
  private readonly logger = new Logger('ClusterAgents');

  constructor(
    private readonly db: Db,
    private readonly clusters: ClustersRepository,
    private readonly tenants: TenantsRepository,
    private readonly audit: AuditService,
    private readonly authority: NatsAuthorityService,
    private readonly messaging: HubMessaging,
  ) {}

  onModuleInit(): void {
    this.messaging.serveRegistration((id, request) => this.register(id, request));
    this.messaging.serve('hello', (id, request) => this.hello(id, request));
    this.messaging.serve('assignment', (id) => this.assignment(id));
    this.messaging.ingestStatusWith((id, message) => this.ingest(id, message));
  }

  /**
   * Trades a registration token for the agent's credential: the token must exist for this
   * cluster, be unused and unexpired; it is marked used in the same transaction that binds the
   * agent's public key. The one retry allowed is the same agent (same key) asking again because
   * it lost the answer. Every refusal is audited.
   */
  async register(clusterId: string, request: RegisterRequest) {
    const actor: Actor = { kind: 'system', name: `agent:${clusterId}` };
    const outcome = await this.db.transaction(async () => {
      const cluster = await this.clusters.lockById(clusterId);
      const token =
        cluster && (await this.clusters.lockToken(cluster.id, hashRegistrationSecret(request.secret)));
      const tenant = cluster ? await this.tenantOf(cluster) : null;
      const target = cluster ? `cluster/${cluster.name}` : `cluster-id/${clusterId}`;
      const deny = async (reason: 'invalid-token' | 'already-used' | 'expired', message: string) => {
        await this.audit.denied(actor, undefined, {
          action: 'clusters:register',
          target,
          tenant,
          after: { reason },
        });
        this.logger.warn(`registration for ${target} refused: ${reason}`);
        return { ...refused(reason, message), retired: [] };
      };
      if (!cluster || !token)
        return deny('invalid-token', 'registration token is not valid for this cluster');
      const retry = token.usedAt !== null && cluster.credentialPublicKey === request.publicKey;
      if (token.usedAt && !retry) {
        return deny('already-used', 'registration token was already used: issue a new one');
      }
      if (!retry && token.expiresAt.getTime() <= Date.now()) {
        return deny('expired', 'registration token has expired: issue a new one');
      }
      const previous = cluster.credentialPublicKey;
      if (!retry) {
        await this.clusters.markTokenUsed(token.id, new Date());
        cluster.credentialPublicKey = request.publicKey;
        await this.clusters.save(cluster);
      }
      // A re-registration retires the old agent key. The token's bootstrap user goes once the
      // new credential connects (see hello): until then a lost answer can be asked for again.
      const retired = previous && previous !== request.publicKey ? [previous] : [];
      await this.authority.revoke(retired, { push: false });
      await this.audit.succeeded(actor, undefined, {
        action: 'clusters:register',
        target,
        tenant,
        after: { agentVersion: request.agentVersion, tokenId: token.id, ...(retry ? { retry } : {}) },
      });
      const jwt = await this.authority.authority.signAgentJwt(cluster.id, request.publicKey);
      return { response: { status: 'registered', clusterId: cluster.id, jwt } as RegisterResponse, retired };
    });
    if (!outcome.retired.length) return { response: outcome.response };
    return { response: outcome.response, afterReply: () => this.authority.push().then(() => undefined) };
  }

  /** Protocol negotiation; a refusal is kept on the cluster so users see why its agent is idle. */
  async hello(clusterId: string, request: HelloRequest): Promise<HelloResponse> {
    const { response, retired } = await this.db.transaction(async () => {
      const refuse = (reason: Extract<HelloResponse, { status: 'refused' }>['reason'], message: string) => ({
        response: { status: 'refused', reason, message } as HelloResponse,
        retired: 0,
      });
      const cluster = await this.clusters.lockById(clusterId);
      if (!cluster) return refuse('unknown-cluster', 'this cluster is not registered');
      const outcome = negotiate(request.protocolVersion);
      cluster.agentVersion = request.agentVersion;
      if (outcome.result !== 'ok') {
        cluster.protocolRefusal = outcome.message;
        await this.clusters.save(cluster);
        return refuse(`protocol-${outcome.result}`, outcome.message);
      }
      Object.assign(cluster, {
        kubernetesVersion: request.kubernetesVersion,
        nodeCount: request.nodeCount,
        protocolRefusal: null,
        lastSeenAt: new Date(),
      });
      await this.clusters.save(cluster);
      // The agent's own credential works: the used tokens' bootstrap users are done with.
      const bootstrap = await this.clusters.retireUsedBootstrapKeys(clusterId, new Date());
      await this.authority.revoke(bootstrap, { push: false });
      return {
        response: { status: 'accepted', protocolVersion: outcome.version } as HelloResponse,
        retired: bootstrap.length,
      };
    });
    if (retired) await this.authority.push();
    return response;
  }

  /** Only ever the asking cluster's own assignment: the id comes from the subject. */
  async assignment(clusterId: string): Promise<AssignmentResponse> {
    const assignment = await this.messaging.getAssignment(clusterId);
    return assignment ? { status: 'ok', assignment } : { status: 'not-found' };
  }

  /**
   * Stores one status message exactly once: anything at or below the cluster's last `seq` is a
   * redelivery (the stream delivers at least once) and is skipped.
   */
  ingest(clusterId: string, message: StatusMessage): Promise<boolean> {
    return this.clusters.advanceStatus(clusterId, message, new Date());
  }

  private async tenantOf(cluster: ClusterEntity): Promise<{ id: string; slug: string } | null> {
    if (!cluster.tenantId) return null;
    const slug = (await this.tenants.slugsById([cluster.tenantId])).get(cluster.tenantId);
    return slug ? { id: cluster.tenantId, slug } : null;
  }
}
