import { grantSchema } from '@flotilla/policy';
import { z } from 'zod';
import type { GrantEntity } from './grant.entity.js';

export const createGrantSchema = grantSchema;
export type CreateGrantDto = z.infer<typeof createGrantSchema>;

export const updateGrantSchema = grantSchema.omit({ name: true }).partial().strict();
export type UpdateGrantDto = z.infer<typeof updateGrantSchema>;

export function toGrantDto(grant: GrantEntity, tenant: string) {
  return {
    name: grant.name,
    tenant,
    clusterSelector: grant.clusterSelector,
    namespaces: grant.namespaces,
    clusterScopedKinds: grant.clusterScopedKinds,
    rules: grant.rules,
    createdAt: grant.createdAt.toISOString(),
    updatedAt: grant.updatedAt.toISOString(),
  };
}
