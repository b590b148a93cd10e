import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export type WebhookProvider = 'github' | 'gitlab' | 'gitea';
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** Push payloads are small; GitHub's own cap is 25 MB. Anything above this is refused unread. */
export const MAX_WEBHOOK_BODY_BYTES = 5 * 1024 * 1024;

export type WebhookVerdict = { ok: true } | { ok: false; reason: string };

export interface PushEvent {
  /** Full ref name, e.g. `refs/heads/main` or `refs/tags/v1`. */
  ref: string;
  /** Commit id after the push (all zeros when the ref was deleted). */
  after: string;
  deleted: boolean;
  /** Every URL the provider gives for the repository (https clone, web, ssh). */
  repositoryUrls: string[];
  deliveryId: string | undefined;
}

export class WebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookError';
  }
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Constant-time equality that also hides the length (both sides hashed first). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function hmacHex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Verifies a delivery's authenticity from the raw body, before anything parses it:
 * GitHub `X-Hub-Signature-256: sha256=<hex hmac>`, Gitea `X-Gitea-Signature: <hex hmac>`,
 * GitLab `X-Gitlab-Token: <secret>`.
 */
export function verifyWebhookSignature(
  provider: WebhookProvider,
  headers: WebhookHeaders,
  rawBody: Buffer,
  secret: string,
): WebhookVerdict {
  if (!secret) return { ok: false, reason: 'no webhook secret is configured for this repository' };
  if (rawBody.length > MAX_WEBHOOK_BODY_BYTES)
    return { ok: false, reason: `body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes` };
  switch (provider) {
    case 'github': {
      const signature = header(headers, 'x-hub-signature-256');
      if (!signature) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
      return sameSecret(signature.trim().toLowerCase(), `sha256=${hmacHex(secret, rawBody)}`)
        ? { ok: true }
        : { ok: false, reason: 'X-Hub-Signature-256 does not match' };
    }
    case 'gitea': {
      const signature = header(headers, 'x-gitea-signature');
      if (!signature) return { ok: false, reason: 'missing X-Gitea-Signature header' };
      return sameSecret(signature.trim().toLowerCase(), hmacHex(secret, rawBody))
        ? { ok: true }
        : { ok: false, reason: 'X-Gitea-Signature does not match' };
    }
    case 'gitlab': {
      const token = header(headers, 'x-gitlab-token');
      if (!token) return { ok: false, reason: 'missing X-Gitlab-Token header' };
      return sameSecret(token, secret)
        ? { ok: true }
        : { ok: false, reason: 'X-Gitlab-Token does not match' };
    }
  }
}

const commitId = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a commit id');
const url = z.string().min(1).optional().nullable();
const githubOrGitea = z.object({
  ref: z.string().min(1),
  after: commitId,
  repository: z.object({ clone_url: url, html_url: url, ssh_url: url }),
});
const gitlab = z.object({
  ref: z.string().min(1),
  after: commitId,
  project: z.object({ git_http_url: url, web_url: url, git_ssh_url: url }),
});

const EVENT_HEADERS: Record<WebhookProvider, { event: string; push: string[]; delivery: string }> = {
  github: { event: 'x-github-event', push: ['push'], delivery: 'x-github-delivery' },
  gitea: { event: 'x-gitea-event', push: ['push'], delivery: 'x-gitea-delivery' },
  gitlab: { event: 'x-gitlab-event', push: ['Push Hook', 'Tag Push Hook'], delivery: 'x-gitlab-event-uuid' },
};

/**
 * Parses a verified delivery. Returns null for events other than pushes (ping, issues, …);
 * throws WebhookError when a push payload does not have the expected shape.
 */
export function parsePushEvent(
  provider: WebhookProvider,
  rawBody: Buffer,
  headers: WebhookHeaders,
): PushEvent | null {
  const names = EVENT_HEADERS[provider];
  const event = header(headers, names.event);
  if (!event || !names.push.includes(event)) return null;
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookError(`${provider} push payload is not valid JSON`);
  }
  const parsed = provider === 'gitlab' ? gitlab.safeParse(json) : githubOrGitea.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookError(
      `${provider} push payload is malformed at "${issue?.path.join('.')}": ${issue?.message}`,
    );
  }
  const data = parsed.data;
  const urls =
    'project' in data
      ? [data.project.git_http_url, data.project.web_url, data.project.git_ssh_url]
      : [data.repository.clone_url, data.repository.html_url, data.repository.ssh_url];
  return {
    ref: data.ref,
    after: data.after,
    deleted: /^0+$/.test(data.after),
    repositoryUrls: [
      ...new Set(urls.filter((entry): entry is string => typeof entry === 'string' && entry.length > 0)),
    ],
    deliveryId: header(headers, names.delivery),
  };
}

/** Canonical form for matching a webhook's repository URL to a configured one. */
export function repositoryKey(raw: string): string {
  try {
    const parsed = new URL(raw);
    return `${parsed.hostname.toLowerCase()}${parsed.pathname.replace(/\/+$/, '').replace(/\.git$/, '')}`.toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/**
 * Remembers delivery ids for a while so a replayed delivery is dropped early. Replays are
 * harmless anyway (a refresh is idempotent); this only saves work.
 */
export class DeliveryReplayGuard {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True if this id was already seen within the TTL; otherwise records it and returns false. */
  isReplay(deliveryId: string): boolean {
    const now = this.now();
    for (const [id, at] of this.seenAt) {
      if (now - at < this.ttlMs && this.seenAt.size < this.maxEntries) break; // oldest first: the rest are newer
      this.seenAt.delete(id);
    }
    const previous = this.seenAt.get(deliveryId);
    if (previous !== undefined && now - previous < this.ttlMs) return true;
    this.seenAt.delete(deliveryId); // re-insert so the map stays ordered by time
    this.seenAt.set(deliveryId, now);
    return false;
  }
}
