import type { StatusReport } from '@flotilla/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './cluster.entity.js';

/** One ingested status report; (clusterId, seq) makes ingest idempotent. */
@Entity('cluster_report')
export class ClusterReportEntity {
  @PrimaryColumn({ name: 'cluster_id', type: 'uuid' })
  clusterId!: string;

  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'assignment_revision', type: 'bigint', transformer: bigintNumber })
  assignmentRevision!: number;

  @Column({ type: 'jsonb' })
  report!: StatusReport;
}
