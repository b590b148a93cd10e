import type { SyncPolicy } from '@flotilla/contracts';
import type { LabelSelector } from '@flotilla/policy';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('binding')
export class BindingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'repository_id', type: 'uuid' })
  repositoryId!: string;

  @Column({ type: 'text' })
  ref!: string;

  @Column({ type: 'text' })
  path!: string;

  @Column({ name: 'cluster_selector', type: 'jsonb' })
  clusterSelector!: LabelSelector;

  @Column({ type: 'text' })
  namespace!: string;

  @Column({ name: 'sync_policy', type: 'jsonb' })
  syncPolicy!: SyncPolicy;

  @Column({ type: 'boolean' })
  suspended!: boolean;

  /** Set by rollback: this revision stays deployed until unpinned. */
  @Column({ name: 'pinned_revision_id', type: 'uuid', nullable: true })
  pinnedRevisionId!: string | null;

  /** Why the last refresh produced no revision (fetch or ref problems), scrubbed. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
