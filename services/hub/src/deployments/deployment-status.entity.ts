import type { Health, ObjectResult, StatusReport, SyncState } from '@flotilla/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../clusters/cluster.entity.js';

export type Durations = StatusReport['bindings'][number]['durations'];

/** The latest report of one binding on one cluster. */
@Entity('deployment_status')
export class DeploymentStatusEntity {
  @PrimaryColumn({ name: 'binding_id', type: 'uuid' })
  bindingId!: string;

  @PrimaryColumn({ name: 'cluster_id', type: 'uuid' })
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

  /** Per object: identity, action, health, message and drifted field paths — never values. */
  @Column({ type: 'jsonb' })
  objects!: ObjectResult[];

  @Column({ name: 'error_reason', type: 'text', nullable: true })
  errorReason!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ type: 'jsonb' })
  durations!: Durations;

  @Column({ name: 'report_seq', type: 'bigint', transformer: bigintNumber })
  reportSeq!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
