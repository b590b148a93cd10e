import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { RevisionChecks } from './checks.js';

export type RevisionStatus = 'passed' | 'blocked';

/** One binding rendered at one commit, with its check verdicts. */
@Entity('revision')
export class RevisionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'binding_id', type: 'uuid' })
  bindingId!: string;

  /** 1, 2, 3 … per binding. */
  @Column({ type: 'integer' })
  number!: number;

  @Column({ type: 'text' })
  commit!: string;

  /** Hash of everything the render depended on (commit, path, namespace): same key, same revision. */
  @Column({ name: 'source_key', type: 'text' })
  sourceKey!: string;

  @Column({ type: 'text' })
  status!: RevisionStatus;

  @Column({ type: 'jsonb' })
  checks!: RevisionChecks;

  /** Null when a global check (render, signature, secrets) failed: nothing may be published. */
  @Column({ name: 'bundle_digest', type: 'text', nullable: true })
  bundleDigest!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
