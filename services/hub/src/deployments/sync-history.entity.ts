import type { Health, SyncState } from '@flotilla/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../clusters/cluster.entity.js';

/** A change of what a binding runs (or how well) on one cluster; never updated. */
@Entity('sync_history')
export class SyncHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'binding_id', type: 'uuid' })
  bindingId!: string;

  @Column({ name: 'cluster_id', type: 'uuid' })
  clusterId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'applied_digest', type: 'text', nullable: true })
  appliedDigest!: string | null;

  @Column({ type: 'text', nullable: true })
  commit!: string | null;

  @Column({ name: 'sync_state', type: 'text' })
  syncState!: SyncState;

  @Column({ type: 'text' })
  health!: Health;

  @Column({ name: 'error_reason', type: 'text', nullable: true })
  errorReason!: string | null;

  @Column({ name: 'report_seq', type: 'bigint', transformer: bigintNumber })
  reportSeq!: number;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
