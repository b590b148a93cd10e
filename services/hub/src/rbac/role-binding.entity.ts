import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RoleEntity } from './role.entity.js';

export type SubjectKind = 'user' | 'group' | 'token';

@Entity('role_binding')
export class RoleBindingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Null = platform scope. */
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Column({ name: 'role_id', type: 'uuid' })
  roleId!: string;

  @ManyToOne(() => RoleEntity)
  @JoinColumn({ name: 'role_id' })
  role!: RoleEntity;

  @Column({ name: 'subject_kind', type: 'text' })
  subjectKind!: SubjectKind;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId!: string;

  /** Kept so a binding reads well without a join per subject kind. */
  @Column({ name: 'subject_name', type: 'text' })
  subjectName!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
