import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A one-time registration token; only the secret's hash is kept. */
@Entity('cluster_registration_token')
export class RegistrationTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cluster_id', type: 'uuid' })
  clusterId!: string;

  @Column({ name: 'secret_hash', type: 'text', select: false })
  secretHash!: string;

  /** The NATS user inside the token (allowed only to register), revoked once the token is used. */
  @Column({ name: 'bootstrap_public_key', type: 'text' })
  bootstrapPublicKey!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /** When the bootstrap user was revoked (after the agent's own credential first connected). */
  @Column({ name: 'bootstrap_revoked_at', type: 'timestamptz', nullable: true })
  bootstrapRevokedAt!: Date | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
