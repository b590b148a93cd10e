import { z } from 'zod';
import { pageQuery } from '../common/pagination.js';
import { name, slug } from '../common/slug.js';
import type { ApiTokenEntity } from './api-token.entity.js';

const units = { m: 60, h: 3600, d: 86_400 } as const;
const maxSeconds = 366 * 86_400;

/** "30d", "12h", "90m" → seconds. */
export const duration = z
  .string()
  .regex(/^[1-9]\d{0,5}[mhd]$/, 'must look like 90m, 12h or 30d')
  .transform((value) => Number(value.slice(0, -1)) * units[value.at(-1) as keyof typeof units])
  .refine((seconds) => seconds <= maxSeconds, 'must be at most 366d');

export const createTokenSchema = z
  .object({
    name,
    tenant: slug.optional(),
    role: name.optional(),
    expiresIn: duration.optional(),
  })
  .strict();
export type CreateTokenDto = z.infer<typeof createTokenSchema>;

export const listTokensSchema = pageQuery.extend({ tenant: slug.optional() }).strict();
export type ListTokensQuery = z.infer<typeof listTokensSchema>;

export function toTokenDto(token: ApiTokenEntity, tenantSlug: string | null) {
  return {
    id: token.id,
    name: token.name,
    tenant: tenantSlug,
    createdBy: token.createdBy,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
