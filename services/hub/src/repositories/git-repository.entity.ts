import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface Verification {
  /** Armored OpenPGP public keys whose signatures make a commit deployable. */
  trustedKeys: string[];
}

/** A tenant's Git source. Named GitRepository so it is never confused with TypeORM's Repository. */
@Entity('git_repository')
export class GitRepositoryEntity {
  /** Assigned by the service before insert: it is part of the sealed values' context. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ name: 'credentials_sealed', type: 'text', nullable: true, select: false })
  credentialsSealed!: string | null;

  @Column({ name: 'webhook_secret_sealed', type: 'text', select: false })
  webhookSecretSealed!: string;

  @Column({ name: 'poll_interval_seconds', type: 'integer' })
  pollIntervalSeconds!: number;

  @Column({ type: 'jsonb', nullable: true })
  verification!: Verification | null;

  /** ref → commit id of the last successful fetch. */
  @Column({ name: 'last_commits', type: 'jsonb' })
  lastCommits!: Record<string, string>;

  @Column({ name: 'last_fetched_at', type: 'timestamptz', nullable: true })
  lastFetchedAt!: Date | null;

  /** Scrubbed: never holds credentials. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
