import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DeliveryReplayGuard,
  MAX_WEBHOOK_BODY_BYTES,
  parsePushEvent,
  repositoryKey,
  verifyWebhookSignature,
  type WebhookProvider,
} from './webhooks.js';

const SECRET = 'webhook-secret-42';
const AFTER = 'a'.repeat(40);
const hmac = (body: Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

const bodies: Record<WebhookProvider, Buffer> = {
  github: Buffer.from(
    JSON.stringify({
      ref: 'refs/heads/main',
      after: AFTER,
      repository: {
        clone_url: 'https://github.com/acme/fleet.git',
        html_url: 'https://github.com/acme/fleet',
        ssh_url: 'git@github.com:acme/fleet.git',
      },
    }),
  ),
  gitea: Buffer.from(
    JSON.stringify({
      ref: 'refs/heads/main',
      after: AFTER,
      repository: { clone_url: 'https://gitea.example/acme/fleet.git', html_url: null },
    }),
  ),
  gitlab: Buffer.from(
    JSON.stringify({
      ref: 'refs/tags/v1',
      after: AFTER,
      project: {
        git_http_url: 'https://gitlab.example/acme/fleet.git',
        web_url: 'https://gitlab.example/acme/fleet',
      },
    }),
  ),
};

function signedHeaders(provider: WebhookProvider, body: Buffer, secret = SECRET): Record<string, string> {
  switch (provider) {
    case 'github':
      return {
        'X-Hub-Signature-256': `sha256=${hmac(body, secret)}`,
        'X-GitHub-Event': 'push',
        'X-GitHub-Delivery': 'gh-1',
      };
    case 'gitea':
      return { 'X-Gitea-Signature': hmac(body, secret), 'X-Gitea-Event': 'push', 'X-Gitea-Delivery': 'gt-1' };
    case 'gitlab':
      return { 'X-Gitlab-Token': secret, 'X-Gitlab-Event': 'Tag Push Hook', 'X-Gitlab-Event-UUID': 'gl-1' };
  }
}

describe.each(['github', 'gitea', 'gitlab'] as const)('%s webhooks', (provider) => {
  const body = bodies[provider];

  it('accepts a correctly signed delivery', () => {
    expect(verifyWebhookSignature(provider, signedHeaders(provider, body), body, SECRET)).toEqual({
      ok: true,
    });
    const lowerCased = Object.fromEntries(
      Object.entries(signedHeaders(provider, body)).map(([key, value]) => [key.toLowerCase(), value]),
    );
    expect(verifyWebhookSignature(provider, lowerCased, body, SECRET)).toEqual({ ok: true });
  });

  it('rejects a wrong secret, a modified body and a missing header', () => {
    const wrong = verifyWebhookSignature(
      provider,
      signedHeaders(provider, body, 'other-secret'),
      body,
      SECRET,
    );
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
    if (provider !== 'gitlab') {
      const tampered = Buffer.from(body.toString().replace('main', 'evil'));
      expect(verifyWebhookSignature(provider, signedHeaders(provider, body), tampered, SECRET).ok).toBe(
        false,
      );
    }
    expect(verifyWebhookSignature(provider, {}, body, SECRET)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^missing X-/),
    });
    expect(verifyWebhookSignature(provider, signedHeaders(provider, body), body, '')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no webhook secret'),
    });
  });

  it('refuses oversized bodies without reading them', () => {
    const huge = Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1);
    expect(verifyWebhookSignature(provider, signedHeaders(provider, huge), huge, SECRET)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('exceeds'),
    });
  });

  it('parses the push event with its ref, commit, repository URLs and delivery id', () => {
    const event = parsePushEvent(provider, body, signedHeaders(provider, body));
    expect(event).toMatchObject({ after: AFTER, deleted: false, deliveryId: expect.stringMatching(/-1$/) });
    expect(event!.repositoryUrls.length).toBeGreaterThan(0);
    expect(event!.repositoryUrls.every((entry) => entry.includes('acme/fleet'))).toBe(true);
  });
});

describe('parsePushEvent', () => {
  it('keeps every URL GitHub gives and marks deleted refs', () => {
    const body = Buffer.from(
      JSON.stringify({
        ref: 'refs/heads/gone',
        after: '0'.repeat(40),
        repository: { clone_url: 'https://github.com/a/b.git' },
      }),
    );
    expect(parsePushEvent('github', body, { 'x-github-event': 'push' })).toEqual({
      ref: 'refs/heads/gone',
      after: '0'.repeat(40),
      deleted: true,
      repositoryUrls: ['https://github.com/a/b.git'],
      deliveryId: undefined,
    });
    expect(parsePushEvent('github', bodies.github, { 'x-github-event': 'push' })!.repositoryUrls).toEqual([
      'https://github.com/acme/fleet.git',
      'https://github.com/acme/fleet',
      'git@github.com:acme/fleet.git',
    ]);
  });

  it('ignores other events and rejects malformed push payloads clearly', () => {
    expect(parsePushEvent('github', Buffer.from('{}'), { 'x-github-event': 'ping' })).toBeNull();
    expect(
      parsePushEvent('gitlab', Buffer.from('{}'), { 'x-gitlab-event': 'Merge Request Hook' }),
    ).toBeNull();
    expect(() => parsePushEvent('github', Buffer.from('{not json'), { 'x-github-event': 'push' })).toThrow(
      'github push payload is not valid JSON',
    );
    const badCommit = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: 'xyz', repository: {} }));
    expect(() => parsePushEvent('gitea', badCommit, { 'x-gitea-event': 'push' })).toThrow(
      /malformed at "after": expected a commit id/,
    );
  });
});

describe('repositoryKey', () => {
  it('matches clone and web URLs of the same repository', () => {
    expect(repositoryKey('https://GitHub.com/acme/fleet.git')).toBe(
      repositoryKey('https://github.com/acme/fleet/'),
    );
    expect(repositoryKey('https://github.com/acme/fleet')).not.toBe(
      repositoryKey('https://github.com/acme/fleet2'),
    );
  });
});

describe('DeliveryReplayGuard', () => {
  it('flags a delivery id seen within the TTL and forgets it afterwards', () => {
    let now = 1_000;
    const guard = new DeliveryReplayGuard(100, 10, () => now);
    expect(guard.isReplay('d1')).toBe(false);
    expect(guard.isReplay('d1')).toBe(true);
    now += 101;
    expect(guard.isReplay('d1')).toBe(false);
  });

  it('stays bounded by evicting the oldest ids', () => {
    const guard = new DeliveryReplayGuard(60_000, 2, () => 0);
    guard.isReplay('a');
    guard.isReplay('b');
    guard.isReplay('c');
    expect(guard.isReplay('c')).toBe(true);
    expect(guard.isReplay('a')).toBe(false);
  });
});
