import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Postgres bigint arrives as a string; status sequence numbers stay below 2^53. */
export const bigintNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * A registered cluster. `id` is also its NATS identity (subjects, inbox, assignment key);
 * `tenantId` null = shared (platform-owned). Read by the scheduler: keep id, name, tenantId, labels.
 */
@Entity('cluster')
export class ClusterEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Column({ type: 'jsonb' })
  labels!: Record<string, string>;

  @Column({ name: 'agent_version', type: 'text', nullable: true })
  agentVersion!: string | null;

  @Column({ name: 'kubernetes_version', type: 'text', nullable: true })
  kubernetesVersion!: string | null;

  @Column({ name: 'node_count', type: 'integer', nullable: true })
  nodeCount!: number | null;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  /** Highest status `seq` ingested: anything at or below it is a redelivery. */
  @Column({ name: 'last_seq', type: 'bigint', transformer: bigintNumber })
  lastSeq!: number;

  /** Why the hub refused the agent's hello (protocol mismatch), shown on the cluster. */
  @Column({ name: 'protocol_refusal', type: 'text', nullable: true })
  protocolRefusal!: string | null;

  /** Public nkey of the agent's current NATS credential; null before registration. */
  @Column({ name: 'credential_public_key', type: 'text', nullable: true })
  credentialPublicKey!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
