import { z } from 'zod';
import { name, slug } from '../common/slug.js';
import { pageQuery } from '../common/pagination.js';
import { isPermission, type Permission } from './permissions.js';
import type { RoleBindingEntity } from './role-binding.entity.js';
import type { RoleEntity } from './role.entity.js';

const permission = z
  .string()
  .refine(isPermission, 'is not a known permission') as unknown as z.ZodType<Permission>;

export const createRoleSchema = z
  .object({
    name,
    description: z.string().max(500).optional(),
    permissions: z.array(permission).min(1).max(100),
    tenant: slug.optional(),
  })
  .strict();
export type CreateRoleDto = z.infer<typeof createRoleSchema>;

export const tenantFilterSchema = pageQuery.extend({ tenant: slug.optional() }).strict();
export type TenantFilter = z.infer<typeof tenantFilterSchema>;

export const roleDeleteQuerySchema = z.object({ tenant: slug.optional() }).strict();

export const subjectSchema = z.object({ kind: z.enum(['user', 'group', 'token']), name }).strict();
export type SubjectDto = z.infer<typeof subjectSchema>;

export const createRoleBindingSchema = z.object({ subject: subjectSchema, role: name }).strict();
export type CreateRoleBindingDto = z.infer<typeof createRoleBindingSchema>;

export function toRoleDto(role: RoleEntity, tenantSlug: string | null) {
  return {
    name: role.name,
    tenant: tenantSlug,
    description: role.description,
    permissions: role.permissions,
    builtin: role.builtin,
  };
}

export function toRoleBindingDto(binding: RoleBindingEntity, tenantSlug: string | null) {
  return {
    id: binding.id,
    tenant: tenantSlug,
    subject: { kind: binding.subjectKind, name: binding.subjectName },
    role: binding.role.name,
    createdBy: binding.createdBy,
    createdAt: binding.createdAt.toISOString(),
  };
}
