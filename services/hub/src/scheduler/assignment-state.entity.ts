import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What was last published for a cluster, so an unchanged recompute publishes nothing. */
@Entity('assignment_state')
export class AssignmentStateEntity {
  @PrimaryColumn({ name: 'cluster_id', type: 'text' })
  clusterId!: string;

  /** sha256 of the canonical document without its revision number. */
  @Column({ name: 'document_hash', type: 'text' })
  documentHash!: string;

  @Column({ type: 'integer' })
  revision!: number;

  /** Bindings in the published document: the clusters a binding change must revisit. */
  @Column({ name: 'binding_ids', type: 'jsonb' })
  bindingIds!: string[];

  /** Bundles the cluster may fetch: exactly those its published assignment names. */
  @Column({ name: 'bundle_digests', type: 'jsonb' })
  bundleDigests!: string[];

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;
}
