import { Injectable } from '@nestjs/common';
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
 * Reads clusters for scheduling. It reads the clusters module's table directly (read-only) so
 * the scheduler does not depend on that module's services, which call back into the scheduler.
 */
@Injectable()
export class ClusterDirectory {
  constructor(private readonly db: Db) {}

  async all(): Promise<ClusterView[]> {
    return this.select('');
  }

  async byIds(ids: readonly string[]): Promise<ClusterView[]> {
    return ids.length ? this.select('WHERE id::text = ANY($1)', [ids]) : [];
  }

  private async select(where: string, params: unknown[] = []): Promise<ClusterView[]> {
    const rows: { id: string; name: string; tenant_id: string | null; labels: Record<string, string> | null }[] =
      await this.db.manager.query(`SELECT id::text AS id, name, tenant_id, labels FROM cluster ${where}`, params);
    return rows.map((row) => ({ id: row.id, name: row.name, tenantId: row.tenant_id, labels: row.labels ?? {} }));
  }
}
