import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Db } from '../database/db.js';
import { AssignmentStateEntity } from './assignment-state.entity.js';

@Injectable()
export class AssignmentStateRepository {
  constructor(private readonly db: Db) {}

  private get repo() {
    return this.db.repository(AssignmentStateEntity);
  }

  find(clusterId: string): Promise<AssignmentStateEntity | null> {
    return this.repo.findOneBy({ clusterId });
  }

  /** cluster id → its state, for those of these clusters that have one. */
  async findMany(clusterIds: readonly string[]): Promise<Map<string, AssignmentStateEntity>> {
    const rows = clusterIds.length ? await this.repo.findBy({ clusterId: In([...clusterIds]) }) : [];
    return new Map(rows.map((row) => [row.clusterId, row]));
  }

  /** Clusters whose published assignment names any of these bindings. */
  async clustersWithAnyBinding(bindingIds: readonly string[]): Promise<string[]> {
    if (!bindingIds.length) return [];
    const rows: { cluster_id: string }[] = await this.db.manager.query(
      'SELECT cluster_id FROM assignment_state WHERE binding_ids ?| $1::text[]',
      [bindingIds],
    );
    return rows.map((row) => row.cluster_id);
  }

  async delete(clusterId: string): Promise<void> {
    await this.repo.delete({ clusterId });
  }

  async saveMany(states: readonly AssignmentStateEntity[]): Promise<void> {
    if (states.length) await this.repo.upsert([...states], ['clusterId']);
  }

  /**
   * Serialises recomputes of these clusters across replicas until the transaction ends. Taken
   * in one statement in lock-key order, so overlapping batches wait for each other instead of
   * deadlocking.
   */
  /**
   * The cluster's state once a publish of it in flight has committed: waits for the lock
   * `lock` takes (shared, so readers do not wait for each other), then reads.
   */
  findSettled(clusterId: string): Promise<AssignmentStateEntity | null> {
    return this.db.transaction(async () => {
      await this.db.manager.query(
        `SELECT pg_advisory_xact_lock_shared(hashtext('assignment:' || $1::text))`,
        [clusterId],
      );
      return this.find(clusterId);
    });
  }

  async lock(clusterIds: readonly string[]): Promise<void> {
    await this.db.manager.query(
      `SELECT pg_advisory_xact_lock(key) FROM (
         SELECT DISTINCT hashtext('assignment:' || id) AS key FROM unnest($1::text[]) AS id ORDER BY key
       ) AS keys`,
      [clusterIds],
    );
  }
}
