import { dnsLabelProblem } from '@flotilla/manifests';
import { z } from 'zod';
import type { GitRepositoryEntity } from './git-repository.entity.js';

const units = { s: 1, m: 60, h: 3600 } as const;

/** "30s", "5m", "1h" → seconds, between 1 s and 24 h. */
export const pollInterval = z
  .string()
  .regex(/^[1-9]\d{0,4}[smh]$/, 'must look like 30s, 5m or 1h')
  .transform((value) => Number(value.slice(0, -1)) * units[value.at(-1) as keyof typeof units])
  .refine((seconds) => seconds <= 86_400, 'must be at most 24h');

const credentials = z.union([
  z.strictObject({ username: z.string().min(1).max(256), password: z.string().min(1).max(4096) }),
  z.strictObject({ token: z.string().min(1).max(4096) }),
]);

const verification = z
  .strictObject({ trustedKeys: z.array(z.string().min(1).max(65_536)).min(1).max(50) })
  .nullable();

export const repositoryName = z.string().superRefine((value, context) => {
  const problem = dnsLabelProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

export const createRepositorySchema = z.strictObject({
  name: repositoryName,
  url: z.string().min(1).max(2048),
  credentials: credentials.nullable().optional(),
  pollInterval: pollInterval.default(60),
  verification: verification.default(null),
});
export type CreateRepositoryDto = z.infer<typeof createRepositorySchema>;

export const updateRepositorySchema = createRepositorySchema.omit({ name: true }).partial().strict();
export type UpdateRepositoryDto = z.infer<typeof updateRepositorySchema>;

function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Never carries credentials or the webhook secret. */
export function toRepositoryDto(repo: GitRepositoryEntity, tenant: string, hasCredentials: boolean) {
  return {
    id: repo.id,
    name: repo.name,
    tenant,
    url: repo.url,
    hasCredentials,
    pollInterval: formatInterval(repo.pollIntervalSeconds),
    verification: repo.verification,
    webhooks: Object.fromEntries(
      (['github', 'gitlab', 'gitea'] as const).map((provider) => [
        provider,
        `/api/v1/webhooks/${provider}/${repo.id}`,
      ]),
    ),
    lastCommits: repo.lastCommits,
    lastFetchedAt: repo.lastFetchedAt?.toISOString() ?? null,
    lastError: repo.lastError,
    createdAt: repo.createdAt.toISOString(),
    updatedAt: repo.updatedAt.toISOString(),
  };
}
