import { createHmac } from 'node:crypto';
import { GitTestServer, type TestRepo } from '@flotilla/testing';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepositoryPoller } from '../src/repositories/poller.js';
import { deployment, GitOpsHub, prodGrant } from './gitops-fixture.js';

const PASSWORD = 'git-server-password-4f1c9e';
const binding = (name: string, repository: string, path: string) => ({
  name,
  repository,
  ref: 'main',
  path,
  clusterSelector: { matchLabels: { env: 'prod' } },
  namespace: 'team-a-web',
});

describe('Git sources: repositories, credentials, webhooks, polling, signatures', () => {
  let git: GitTestServer;
  let ops: GitOpsHub;
  let prod: string;

  beforeAll(async () => {
    git = await GitTestServer.start({ auth: { username: 'flotilla', password: PASSWORD } });
    ops = await GitOpsHub.start(git);
    await ops.hub.tenant('team-a');
    await ops.hub.tenant('team-b');
    expect((await ops.call('POST', '/tenants/team-a/grants', prodGrant)).status).toBe(201);
    prod = await ops.cluster('prod-1', { env: 'prod' });
  });
  afterAll(async () => {
    await ops?.stop();
    await git?.stop();
  });

  const repository = async (name: string, extra: Record<string, unknown> = {}) => {
    const repo = await git.createRepo(name);
    await repo.commitFiles({ 'app/deploy.yaml': deployment('web', 'nginx:1') }, 'first');
    const created = await ops.call('POST', '/tenants/team-a/repositories', {
      name,
      url: repo.url,
      credentials: { username: 'flotilla', password: PASSWORD },
      ...extra,
    });
    expect(created.status).toBe(201);
    return { repo, created: created.body };
  };
  const commitOf = async (name: string) => (await ops.call('GET', `/tenants/team-a/bindings/${name}`)).body;

  describe('repositories', () => {
    it('stores credentials sealed and never returns, logs or audits them', async () => {
      const { created } = await repository('private');
      expect(created.hasCredentials).toBe(true);
      expect(created.webhookSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(JSON.stringify(created)).not.toContain(PASSWORD);
      const read = await ops.call('GET', '/tenants/team-a/repositories/private');
      expect(read.body.webhookSecret).toBeUndefined();
      expect(JSON.stringify(read.body)).not.toContain(PASSWORD);
      const [row] = await ops.hub.sql(`SELECT * FROM git_repository WHERE name = 'private'`);
      expect(JSON.stringify(row)).not.toContain(PASSWORD);
      expect(JSON.stringify(row)).not.toContain(created.webhookSecret);
      const audit = await ops.hub.sql(`SELECT before, after FROM audit_event`);
      expect(JSON.stringify(audit)).not.toContain(PASSWORD);
      expect(JSON.stringify(audit)).not.toContain(created.webhookSecret);

      expect(
        (await ops.call('POST', '/tenants/team-a/bindings', binding('private', 'private', 'app'))).status,
      ).toBe(201);
      expect((await commitOf('private')).status).toBe('passed');
      expect((await ops.assignment(prod))!.bindings.map((b) => b.name)).toContain('private');
    });

    it('reports rejected credentials without leaking them', async () => {
      await repository('wrong');
      const patched = await ops.call('PATCH', '/tenants/team-a/repositories/wrong', {
        credentials: { username: 'flotilla', password: 'not-the-password-77' },
      });
      expect(patched.status).toBe(200);
      expect(
        (await ops.call('POST', '/tenants/team-a/bindings', binding('wrong', 'wrong', 'app'))).status,
      ).toBe(201);
      const view = await commitOf('wrong');
      expect(view.revision).toBeNull();
      expect(view.lastError).toContain('credentials were rejected');
      const repo = await ops.call('GET', '/tenants/team-a/repositories/wrong');
      expect(repo.body.lastError).toContain('authentication');
      expect(JSON.stringify([view, repo.body])).not.toContain('not-the-password-77');
    });

    it.each([
      ['file:///etc', 'scheme "file" is not allowed'],
      ['ext::sh%20-c%20touch%20/tmp/pwned', 'transport helper'],
      ['-uhttps://example.com/x.git', 'command-line option'],
      ['https://user:pw@example.com/x.git', 'credentials embedded'],
      ['https://127.0.0.1:1/x.git', 'loopback/private/link-local'],
      ['http://example.com/x.git', 'plain http'],
    ])('refuses %s with a 400 naming url, storing nothing', async (url, reason) => {
      const answer = await ops.call('POST', '/tenants/team-a/repositories', { name: 'refused', url });
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0]).toMatchObject({ field: 'url', message: expect.stringContaining(reason) });
      expect(await ops.hub.sql(`SELECT 1 FROM git_repository WHERE name = 'refused'`)).toEqual([]);
    });

    it('refuses malformed fields by name', async () => {
      const answer = await ops.call('POST', '/tenants/team-a/repositories', {
        name: 'Bad_Name',
        url: 'https://example.com/x.git',
        pollInterval: 'often',
        verification: { trustedKeys: ['not a key'] },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'name',
        'pollInterval',
      ]);
      const key = await ops.call('POST', '/tenants/team-a/repositories', {
        name: 'badkey',
        url: 'https://example.com/x.git',
        verification: { trustedKeys: ['not a key'] },
      });
      expect(key.status).toBe(400);
      expect(key.body.errors.map((e: { field: string }) => e.field)).toContain('verification.trustedKeys.0');
      expect(await ops.hub.sql(`SELECT 1 FROM git_repository WHERE name = 'badkey'`)).toEqual([]);
    });

    it('keeps other tenants out', async () => {
      const outsider = await ops.hub.user('team-b-admin');
      await ops.hub.bind('team-b', 'user', 'team-b-admin', 'tenant-admin');
      expect(
        (await ops.call('GET', '/tenants/team-a/repositories/private', undefined, outsider)).status,
      ).toBe(404);
      expect((await ops.call('GET', '/tenants/team-a/bindings/private', undefined, outsider)).status).toBe(
        404,
      );
      // A binding in team-b cannot name team-a's repository.
      const crossing = await ops.call(
        'POST',
        '/tenants/team-b/bindings',
        { ...binding('steal', 'private', 'app'), namespace: 'team-b' },
        outsider,
      );
      expect(crossing.status).toBe(400);
      expect(crossing.body.errors.map((e: { field: string }) => e.field)).toContain('repository');
    });
  });

  describe('webhooks', () => {
    let repo: TestRepo;
    let secret: string;
    let id: string;

    beforeAll(async () => {
      const made = await repository('hooked');
      repo = made.repo;
      secret = made.created.webhookSecret;
      id = made.created.id;
      expect(
        (await ops.call('POST', '/tenants/team-a/bindings', binding('hooked', 'hooked', 'app'))).status,
      ).toBe(201);
    });

    const push = (provider: 'github' | 'gitlab' | 'gitea', after: string, delivery: string) => {
      const body =
        provider === 'gitlab'
          ? JSON.stringify({ ref: 'refs/heads/main', after, project: { git_http_url: repo.url } })
          : JSON.stringify({ ref: 'refs/heads/main', after, repository: { clone_url: repo.url } });
      const hmac = createHmac('sha256', secret).update(body).digest('hex');
      const headers: Record<string, string> = {
        github: {
          'x-github-event': 'push',
          'x-github-delivery': delivery,
          'x-hub-signature-256': `sha256=${hmac}`,
        },
        gitea: { 'x-gitea-event': 'push', 'x-gitea-delivery': delivery, 'x-gitea-signature': hmac },
        gitlab: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': delivery, 'x-gitlab-token': secret },
      }[provider];
      return { body, headers };
    };
    const deliver = (provider: string, body: string, headers: Record<string, string>) =>
      ops.hub.call('POST', `/api/v1/webhooks/${provider}/${id}`, { raw: body, headers, token: null });

    it.each(['github', 'gitlab', 'gitea'] as const)(
      'a signed %s push refreshes the repository',
      async (provider) => {
        const commit = await repo.commitFiles(
          { 'app/deploy.yaml': deployment('web', `nginx:${provider}`) },
          provider,
        );
        const { body, headers } = push(provider, commit, `delivery-${provider}`);
        const answer = await deliver(provider, body, headers);
        expect(answer.status).toBe(202);
        expect(answer.body.status).toBe('accepted');
        await ops.eventually(async () => (await commitOf('hooked')).revision === commit);
        await ops.eventually(async () =>
          (await ops.assignment(prod))!.bindings.some((b) => b.name === 'hooked' && b.commit === commit),
        );
        // The same delivery again changes nothing.
        const replay = await deliver(provider, body, headers);
        expect(replay.status).toBe(202);
        expect(replay.body.status).toBe('duplicate');
      },
    );

    it('refuses a bad signature before reading the body', async () => {
      const { headers } = push('github', 'a'.repeat(40), 'delivery-bad');
      const answer = await deliver('github', '{"not": "the signed body"}', headers);
      expect(answer.status).toBe(401);
      expect(answer.body.detail).toContain('X-Hub-Signature-256 does not match');
      const gitlab = await deliver('gitlab', '{}', {
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': 'guess',
      });
      expect(gitlab.status).toBe(401);
      expect(JSON.stringify([answer.body, gitlab.body])).not.toContain(secret);
    });

    it('refuses an oversized body, unknown providers and unknown repositories', async () => {
      const big = 'x'.repeat(6 * 1024 * 1024);
      const answer = await deliver('github', big, { 'content-type': 'application/json' });
      expect(answer.status).toBe(413);
      expect((await deliver('bitbucket', '{}', {})).status).toBe(404);
      const unknown = await ops.hub.call(
        'POST',
        '/api/v1/webhooks/github/00000000-0000-4000-8000-000000000000',
        {
          raw: '{}',
          token: null,
        },
      );
      expect(unknown.status).toBe(404);
    });
  });

  it('polling refreshes a repository whose interval elapsed', async () => {
    const { repo } = await repository('polled', { pollInterval: '1s' });
    expect(
      (await ops.call('POST', '/tenants/team-a/bindings', binding('polled', 'polled', 'app'))).status,
    ).toBe(201);
    const commit = await repo.commitFiles(
      { 'app/deploy.yaml': deployment('web', 'nginx:polled') },
      'poll me',
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await ops.hub.app.get(RepositoryPoller).poll();
    expect((await commitOf('polled')).revision).toBe(commit);
  });

  it('one hostile repository fails its binding with a reason; the others keep working', async () => {
    const { repo } = await repository('hostile');
    await repo.commitFiles({ 'evil/kustomization.yaml': 'resources:\n  - secret.yaml\n' }, 'hostile', {
      symlinks: { 'evil/secret.yaml': '/etc/passwd' },
    });
    expect(
      (await ops.call('POST', '/tenants/team-a/bindings', binding('hostile', 'hostile', 'evil'))).status,
    ).toBe(201);
    const view = await commitOf('hostile');
    expect(view.status).toBe('blocked');
    expect(view.checks.render.findings[0]).toMatchObject({ code: 'render_failed' });
    expect(JSON.stringify(view)).not.toContain('root:');
    expect((await ops.assignment(prod))!.bindings.map((b) => b.name)).not.toContain('hostile');

    // The other repositories still refresh and publish.
    const refreshed = await ops.call('POST', '/tenants/team-a/repositories/private/refresh');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.lastError).toBeNull();
    expect((await ops.assignment(prod))!.bindings.map((b) => b.name)).toContain('private');
  });

  describe('commit signatures', () => {
    const keyPair = (email: string) =>
      openpgp.generateKey({
        type: 'ecc',
        curve: 'ed25519Legacy',
        userIDs: [{ name: 'Release', email }],
        format: 'armored',
      });

    it('publishes commits signed by a trusted key and blocks unsigned and untrusted ones', async () => {
      const trusted = await keyPair('release@example.com');
      const stranger = await keyPair('stranger@example.com');
      const { repo } = await repository('signed', { verification: { trustedKeys: [trusted.publicKey] } });
      const good = await repo.commitFiles(
        { 'app/deploy.yaml': deployment('web', 'nginx:signed') },
        'signed',
        {
          sign: { armoredPrivateKey: trusted.privateKey },
        },
      );
      expect(
        (await ops.call('POST', '/tenants/team-a/bindings', binding('signed', 'signed', 'app'))).status,
      ).toBe(201);
      const view = await commitOf('signed');
      expect(view).toMatchObject({ revision: good, status: 'passed' });
      expect(view.checks.signature).toMatchObject({ passed: true, required: true });
      const deployed = async () =>
        (await ops.assignment(prod))!.bindings.find((b) => b.name === 'signed')?.commit;
      expect(await deployed()).toBe(good);

      for (const [options, reason] of [
        [{}, 'unsigned'],
        [{ sign: { armoredPrivateKey: stranger.privateKey } }, 'untrusted'],
      ] as const) {
        await repo.commitFiles({ 'app/deploy.yaml': deployment('web', `nginx:${reason}`) }, reason, options);
        const synced = await ops.call('POST', '/tenants/team-a/bindings/signed/sync');
        expect(synced.body.status).toBe('blocked');
        expect(synced.body.checks.signature.findings[0].reason).toBe(reason);
        expect(await deployed()).toBe(good);
      }
    });
  });

  it('offboarding counts grants, repositories and bindings, purges them when forced and withdraws them from clusters', async () => {
    await ops.hub.tenant('doomed');
    const repo = await git.createRepo('doomed');
    await repo.commitFiles({ 'app/deploy.yaml': deployment('web', 'nginx:1') }, 'first');
    const base = '/tenants/doomed';
    expect((await ops.call('POST', `${base}/grants`, { ...prodGrant, namespaces: ['doomed'] })).status).toBe(
      201,
    );
    const created = await ops.call('POST', `${base}/repositories`, {
      name: 'apps',
      url: repo.url,
      credentials: { username: 'flotilla', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    const bound = await ops.call('POST', `${base}/bindings`, {
      ...binding('web', 'apps', 'app'),
      namespace: 'doomed',
    });
    expect(bound.status).toBe(201);
    expect(bound.body.status).toBe('passed');
    const names = async () => (await ops.assignment(prod))!.bindings.map((b) => `${b.tenant}/${b.name}`);
    expect(await names()).toContain('doomed/web');

    const refused = await ops.call('DELETE', '/tenants/doomed');
    expect(refused.status).toBe(409);
    expect(refused.body.owned).toEqual({ grants: 1, repositories: 1, bindings: 1 });
    expect((await ops.call('DELETE', '/tenants/doomed?force=true')).status).toBe(204);
    expect(await ops.hub.sql(`SELECT 1 FROM git_repository WHERE id = $1`, [created.body.id])).toEqual([]);
    expect(await ops.hub.sql(`SELECT 1 FROM binding WHERE id = $1`, [bound.body.id])).toEqual([]);
    expect(await ops.hub.sql(`SELECT 1 FROM revision WHERE binding_id = $1`, [bound.body.id])).toEqual([]);
    // The cluster's next assignment no longer carries it, so its agent prunes what it applied.
    expect(await names()).not.toContain('doomed/web');
  });
});
