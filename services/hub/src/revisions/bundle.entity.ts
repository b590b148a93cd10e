import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Immutable, content-addressed: the digest is the sha256 of `bytes`. */
@Entity('bundle')
export class BundleEntity {
  @PrimaryColumn({ type: 'text' })
  digest!: string;

  @Column({ type: 'bytea' })
  bytes!: Buffer;

  /** The hub's Ed25519 signature over the digest, base64. */
  @Column({ type: 'text' })
  signature!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
