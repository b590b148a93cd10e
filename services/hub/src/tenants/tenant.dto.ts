import { z } from 'zod';
import { slug } from '../common/slug.js';
import type { TenantEntity } from './tenant.entity.js';

const quota = z.number().int().min(0).max(1_000_000);

export const quotasSchema = z
  .object({ clusters: quota.optional(), repositories: quota.optional(), bindings: quota.optional() })
  .strict();

const displayName = z.string().trim().min(1).max(200);

export const createTenantSchema = z.object({ slug, displayName, quotas: quotasSchema.default({}) }).strict();
export type CreateTenantDto = z.infer<typeof createTenantSchema>;

export const updateTenantSchema = z
  .object({ displayName: displayName.optional(), quotas: quotasSchema.optional() })
  .strict()
  .refine((dto) => Object.keys(dto).length > 0, 'give displayName and/or quotas');
export type UpdateTenantDto = z.infer<typeof updateTenantSchema>;

export const offboardQuerySchema = z.object({ force: z.enum(['true', 'false']).default('false') }).strict();

export function toTenantDto(tenant: TenantEntity) {
  return {
    slug: tenant.slug,
    displayName: tenant.displayName,
    quotas: tenant.quotas,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}
