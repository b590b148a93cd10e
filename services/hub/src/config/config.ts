import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const url = (protocols: string[]) =>
  z.url({
    protocol: new RegExp(`^(${protocols.join('|')})$`),
    error: `must be a ${protocols.join(' or ')} URL`,
  });

/** Every setting the hub reads from its environment; names are the FLOTILLA_* variables. */
export const configSchema = z.object({
  FLOTILLA_PORT: port.default(8080),
  FLOTILLA_HOST: z.string().min(1).default('0.0.0.0'),
  FLOTILLA_DATABASE_URL: url(['postgres', 'postgresql']).default(
    'postgres://postgres@127.0.0.1:5432/flotilla',
  ),
  // NATS (see clusters/ and messaging/): `managed` runs a nats-server of the hub's own; unset
  // mode = external when FLOTILLA_NATS_URL is set, else managed.
  FLOTILLA_NATS_URL: url(['nats', 'tls']).optional(),
  FLOTILLA_NATS_MODE: z.enum(['managed', 'external', 'disabled']).optional(),
  FLOTILLA_NATS_PORT: port.default(4223),
  /** The NATS URL agents dial (install.yaml); defaults to the URL the hub uses. */
  FLOTILLA_NATS_PUBLIC_URL: url(['nats', 'tls']).optional(),
  FLOTILLA_NATS_SERVER_BINARY: z.string().min(1).default('nats-server'),
  FLOTILLA_DATA_DIR: z.string().min(1).default('.flotilla'),
  /** Comma-separated base64 32-byte keys, current first; generated into the data dir when unset. */
  FLOTILLA_ENCRYPTION_KEYS: z.string().min(1).optional(),
  /** The hub's URL as users reach it, for the install command. */
  FLOTILLA_PUBLIC_URL: url(['https', 'http']).optional(),
  FLOTILLA_AGENT_IMAGE: z.string().min(1).default('ghcr.io/flotilla/agent:0.1.0'),
  FLOTILLA_CLUSTER_OFFLINE_AFTER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(90),
  /** How long raw agent status reports are kept (state itself lives in deployment status and history). */
  FLOTILLA_CLUSTER_REPORT_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(3600),
  FLOTILLA_REGISTRATION_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
  FLOTILLA_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(1024).optional(),
  FLOTILLA_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  FLOTILLA_JWT_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  FLOTILLA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FLOTILLA_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 256kb')
    .default('256kb'),
  FLOTILLA_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  FLOTILLA_LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  // Single sign-on (off unless FLOTILLA_OIDC_ISSUER is set).
  FLOTILLA_OIDC_ISSUER: url(['https', 'http']).optional(),
  FLOTILLA_OIDC_CLIENT_ID: z.string().min(1).optional(),
  FLOTILLA_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  FLOTILLA_OIDC_REDIRECT_URL: url(['https', 'http']).optional(),
  FLOTILLA_OIDC_SCOPES: z.string().min(1).default('openid profile email groups'),
  FLOTILLA_OIDC_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
  FLOTILLA_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** Development and tests only: an identity provider over plain http. */
  FLOTILLA_OIDC_ALLOW_HTTP: z.stringbool().default(false),
  /** Comma-separated `host:port` (optionally `http://host:port`) Git servers allowed on private addresses / plain http. */
  FLOTILLA_GIT_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .refine(
      (entries) =>
        entries.every((entry) => URL.canParse(/^https?:\/\//i.test(entry) ? entry : `https://${entry}`)),
      'every entry must be host:port or http(s)://host:port',
    ),
  /** Per-repository fetch caches; default `${FLOTILLA_DATA_DIR}/git`. */
  FLOTILLA_GIT_CACHE_DIR: z.string().min(1).optional(),
  /** Whether this replica takes part in polling repositories (one replica polls at a time). */
  FLOTILLA_GIT_POLLING: z.stringbool().default(true),
  FLOTILLA_GIT_POLL_TICK_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
});

export type HubConfig = z.infer<typeof configSchema>;

export const HUB_CONFIG = Symbol('HUB_CONFIG');

export class ConfigError extends Error {}

/** Validates the environment; the error names every bad variable so a failed start says what to fix. */
export function loadConfig(env: Record<string, string | undefined>): HubConfig {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const incomplete = ssoProblems(parsed.data);
  if (incomplete.length) throw new ConfigError(`invalid configuration:\n${incomplete.join('\n')}`);
  return parsed.data;
}

/** SSO needs its client settings as a set: half a configuration would fail only at first login. */
function ssoProblems(config: HubConfig): string[] {
  if (!config.FLOTILLA_OIDC_ISSUER) return [];
  return (['FLOTILLA_OIDC_CLIENT_ID', 'FLOTILLA_OIDC_REDIRECT_URL'] as const)
    .filter((key) => !config[key])
    .map((key) => `  ${key}: required when FLOTILLA_OIDC_ISSUER is set`);
}
