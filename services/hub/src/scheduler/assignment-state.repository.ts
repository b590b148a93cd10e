import { Injectable } from '@nestjs/common';
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

  /** Clusters whose published assignment names this binding. */
  async clustersWithBinding(bindingId: string): Promise<string[]> {
    const rows: { cluster_id: string }[] = await this.db.manager.query(
      'SELECT cluster_id FROM assignment_state WHERE binding_ids @> $1::jsonb',
      [JSON.stringify([bindingId])],
    );
    return rows.map((row) => row.cluster_id);
  }

  async delete(clusterId: string): Promise<void> {
    await this.repo.delete({ clusterId });
  }

  save(state: AssignmentStateEntity): Promise<AssignmentStateEntity> {
    return this.repo.save(state);
  }

  /** Serialises recomputes of one cluster across replicas until the transaction ends. */
  async lock(clusterId: string): Promise<void> {
    await this.db.manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`assignment:${clusterId}`]);
  }
}
