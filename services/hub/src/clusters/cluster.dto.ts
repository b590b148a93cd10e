import { labelKeyProblem, labelValueProblem } from '@flotilla/manifests';
import { z } from 'zod';
import { pageQuery } from '../common/pagination.js';
import { slug } from '../common/slug.js';
import type { ClusterEntity } from './cluster.entity.js';

/** Kubernetes label rules for keys and values, errors naming the offending key. */
export const labelsSchema = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
  }
  if (Object.keys(labels).length > 64) ctx.addIssue({ code: 'custom', message: 'at most 64 labels' });
});

export const createClusterSchema = z
  .object({
    name: slug,
    labels: labelsSchema.default({}),
    /** Tenant slug that owns the cluster; null or omitted = shared (platform permission). */
    tenant: slug.nullable().default(null),
  })
  .strict();
export type CreateClusterDto = z.infer<typeof createClusterSchema>;

export const updateClusterSchema = z.object({ labels: labelsSchema }).strict();
export type UpdateClusterDto = z.infer<typeof updateClusterSchema>;

export const listClustersSchema = pageQuery
  .extend({
    tenant: slug.optional(),
    /** Kubernetes syntax: `env=prod,tier in (a,b),!legacy`. */
    labelSelector: z.string().max(2048).optional(),
  })
  .strict();
export type ListClustersQuery = z.infer<typeof listClustersSchema>;

export type ClusterState = 'Pending' | 'Online' | 'Offline';

/** Pending until the first heartbeat; Offline once none arrived within `offlineAfterMs`. */
export function clusterState(cluster: ClusterEntity, now: number, offlineAfterMs: number): ClusterState {
  if (!cluster.lastSeenAt) return 'Pending';
  return now - cluster.lastSeenAt.getTime() > offlineAfterMs ? 'Offline' : 'Online';
}

export function toClusterDto(cluster: ClusterEntity, tenantSlug: string | null, offlineAfterMs: number) {
  return {
    id: cluster.id,
    name: cluster.name,
    tenant: tenantSlug,
    labels: cluster.labels,
    state: clusterState(cluster, Date.now(), offlineAfterMs),
    agentVersion: cluster.agentVersion,
    kubernetesVersion: cluster.kubernetesVersion,
    nodeCount: cluster.nodeCount,
    lastSeenAt: cluster.lastSeenAt?.toISOString() ?? null,
    protocolRefusal: cluster.protocolRefusal,
    credentialIssued: cluster.credentialPublicKey !== null,
    createdBy: cluster.createdBy,
    createdAt: cluster.createdAt.toISOString(),
  };
}
export type ClusterDto = ReturnType<typeof toClusterDto>;
