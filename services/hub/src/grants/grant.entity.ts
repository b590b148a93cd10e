import type { Grant, LabelSelector } from '@flotilla/policy';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('tenant_grant')
export class GrantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'cluster_selector', type: 'jsonb' })
  clusterSelector!: LabelSelector;

  @Column({ type: 'jsonb' })
  namespaces!: string[];

  @Column({ name: 'cluster_scoped_kinds', type: 'jsonb' })
  clusterScopedKinds!: Grant['clusterScopedKinds'];

  @Column({ type: 'jsonb' })
  rules!: Grant['rules'];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The policy library's view of a stored grant. */
export function toPolicyGrant(entity: GrantEntity): Grant {
  return {
    name: entity.name,
    clusterSelector: entity.clusterSelector,
    namespaces: entity.namespaces,
    clusterScopedKinds: entity.clusterScopedKinds,
    rules: entity.rules,
  };
}
