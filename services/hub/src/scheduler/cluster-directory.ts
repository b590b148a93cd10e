import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { ClusterEntity } from '../clusters/cluster.entity.js';
import { Db } from '../database/db.js';

/** What scheduling needs to know about a cluster. */
export interface ClusterView {
  id: string;
  name: string;
  /** null = shared; otherwise dedicated to that tenant, and no other tenant deploys there. */
  tenantId: string | null;
  labels: Record<string, string>;
}

/**
 * Reads clusters for scheduling, straight from the clusters table (read-only), so the
 * scheduler does not depend on the clusters module, which calls the scheduler.
 */
@Injectable()
export class ClusterDirectory {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(ClusterEntity);
  }

  async all(): Promise<ClusterView[]> {
    return (await this.repo.find({ order: { name: 'ASC' } })).map(view);
  }

  async byIds(ids: readonly string[]): Promise<ClusterView[]> {
    return ids.length ? (await this.repo.findBy({ id: In([...ids]) })).map(view) : [];
  }
}

function view(cluster: ClusterEntity): ClusterView {
  return { id: cluster.id, name: cluster.name, tenantId: cluster.tenantId, labels: cluster.labels ?? {} };
}
