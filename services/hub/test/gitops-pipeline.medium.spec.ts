import pg from 'pg';
import { readBundle, verifyBundle } from '@flotilla/manifests';
import { GitTestServer, type TestRepo } from '@flotilla/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleSigner } from '../src/revisions/bundle-signer.js';
import { BundleAccess } from '../src/scheduler/bundle-access.js';
import { generateKeyPairSync } from 'node:crypto';
import { GitOpsHub, kustomizeApp, prodGrant } from './gitops-fixture.js';

// Assembled at run time so this file itself holds no scannable key id.
const AWS_KEY_ID = ['AKIA', 'QYLPMN5HHHFPZAM2'].join('');
const configMap = (name: string, data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${data}`;

describe('commit → checks → signed bundle → assignment of every matching cluster', () => {
  let git: GitTestServer;
  let ops: GitOpsHub;
  let repo: TestRepo;
  const clusters: Record<string, string> = {};

  beforeAll(async () => {
    git = await GitTestServer.start();
    ops = await GitOpsHub.start(git);
    await ops.hub.tenant('team-a');
    expect((await ops.call('POST', '/tenants/team-a/grants', prodGrant)).status).toBe(201);
    repo = await git.createRepo('apps');
    await repo.commitFiles(kustomizeApp('1.1'), 'first');
    const created = await ops.call('POST', '/tenants/team-a/repositories', { name: 'apps', url: repo.url });
    expect(created.status).toBe(201);
    clusters.prod1 = await ops.cluster('prod-1', { env: 'prod' });
    clusters.prod2 = await ops.cluster('prod-2', { env: 'prod' });
    clusters.dev1 = await ops.cluster('dev-1', { env: 'dev' });
  });
  afterAll(async () => {
    await ops?.stop();
    await git?.stop();
  });

  it('publishes a verified, signed kustomize bundle to exactly the matching clusters', async () => {
    const created = await ops.call('POST', '/tenants/team-a/bindings', {
      name: 'web',
      repository: 'apps',
      ref: 'main',
      path: 'web/overlays/prod',
      clusterSelector: { matchLabels: { env: 'prod' } },
      namespace: 'team-a-web',
      syncPolicy: { automated: true, prune: true, selfHeal: true },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('passed');
    expect(created.body.checks.render).toMatchObject({ passed: true, kind: 'kustomize', objects: 1 });
    expect(created.body.checks.secrets).toEqual({ passed: true });
    expect(created.body.checks.policy).toMatchObject({ passed: true, clusters: ['prod-1', 'prod-2'] });

    const assignment = await ops.assignment(clusters.prod1!);
    expect(assignment?.bindings).toHaveLength(1);
    const [bound] = assignment!.bindings;
    expect(bound).toMatchObject({
      name: 'web',
      tenant: 'team-a',
      namespace: 'team-a-web',
      commit: created.body.revision,
    });
    expect(assignment!.tenants['team-a']).toEqual({
      namespaces: ['team-a-*'],
      clusterScopedKinds: [],
      rules: [],
    });
    expect((await ops.assignment(clusters.prod2!))?.bindings[0]?.bundleDigest).toBe(bound!.bundleDigest);
    expect((await ops.assignment(clusters.dev1!))?.bindings ?? []).toEqual([]);

    const access = ops.hub.app.get(BundleAccess);
    const served = await access.fetch(clusters.prod1!, { digest: bound!.bundleDigest });
    expect(served.status).toBe('ok');
    if (served.status !== 'ok') return;
    const bytes = Buffer.from(served.bundle, 'base64');
    expect(
      verifyBundle(bytes, bound!.bundleDigest, served.signature, ops.hub.app.get(BundleSigner).publicKey),
    ).toBe(true);
    const [object] = readBundle(bytes).objects;
    expect(object?.metadata.namespace).toBe('team-a-web');
    expect(object?.metadata.labels?.['flotilla.dev/tenant']).toBe('team-a');
    expect(JSON.stringify(object)).toContain('nginx:1.1');
    expect((await access.fetch(clusters.dev1!, { digest: bound!.bundleDigest })).status).toBe('forbidden');
    // Fetches arriving together share one entitlement read, each still answered for its own cluster.
    const together = await Promise.all(
      [clusters.prod1!, clusters.dev1!, clusters.prod2!, clusters.dev1!].map(
        async (cluster) => (await access.fetch(cluster, { digest: bound!.bundleDigest })).status,
      ),
    );
    expect(together).toEqual(['ok', 'forbidden', 'ok', 'forbidden']);
  });

  it('answers a fetch that arrives while the assignment naming the bundle is still being published', async () => {
    const digest = (await ops.assignment(clusters.prod1!))!.bindings[0]!.bundleDigest;
    const cluster = await ops.cluster('late-1', { env: 'staging' });
    // A publish in flight, as the scheduler's: the cluster's lock held, its state not yet committed.
    const publisher = new pg.Client({ connectionString: ops.hub.databaseUrl });
    await publisher.connect();
    try {
      await publisher.query('BEGIN');
      await publisher.query(`SELECT pg_advisory_xact_lock(hashtext('assignment:' || $1::text))`, [cluster]);
      await publisher.query(
        `UPDATE assignment_state SET bundle_digests = jsonb_build_array($2::text) WHERE cluster_id = $1`,
        [cluster, digest],
      );
      let answered = false;
      const fetched = ops.hub.app
        .get(BundleAccess)
        .fetch(cluster, { digest })
        .finally(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
      await publisher.query('COMMIT');
      expect((await fetched).status).toBe('ok');
    } finally {
      await publisher.end();
    }
  });

  const binding = () => ops.call('GET', '/tenants/team-a/bindings/web');
  const digestOn = async (cluster: string) =>
    (await ops.assignment(clusters[cluster]!))?.bindings.find((b) => b.name === 'web')?.bundleDigest;

  it('publishes a new commit after a refresh and nothing when nothing changed', async () => {
    const before = await ops.assignment(clusters.prod1!);
    const commit = await repo.commitFiles(kustomizeApp('1.2'), 'bump');
    const refreshed = await ops.call('POST', '/tenants/team-a/repositories/apps/refresh');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh.commits).toEqual({ main: commit });
    const after = await ops.assignment(clusters.prod1!);
    expect(after!.revision).toBe(before!.revision + 1);
    expect(after!.bindings[0]!.commit).toBe(commit);

    // Same commit again, and a recompute of every cluster: no new assignment revisions.
    expect(
      (await ops.call('POST', '/tenants/team-a/repositories/apps/refresh')).body.refresh.updated,
    ).toEqual([]);
    expect(await ops.scheduler.recompute(Object.values(clusters))).toEqual([]);
    expect((await ops.assignment(clusters.prod1!))!.revision).toBe(after!.revision);

    const history = await ops.call('GET', '/tenants/team-a/bindings/web/history');
    expect(history.body.items.map((r: { number: number; status: string }) => [r.number, r.status])).toEqual([
      [2, 'passed'],
      [1, 'passed'],
    ]);
  });

  it('moves the binding when cluster labels change', async () => {
    await ops.relabel(clusters.dev1!, { env: 'prod' });
    await ops.relabel(clusters.prod2!, { env: 'dev' });
    expect(await digestOn('dev1')).toBe(await digestOn('prod1'));
    expect((await ops.assignment(clusters.prod2!))!.bindings).toEqual([]);
    const view = await binding();
    expect(view.body.clusters.map((c: { name: string }) => c.name)).toEqual(['dev-1', 'prod-1']);
    await ops.relabel(clusters.dev1!, { env: 'dev' });
    await ops.relabel(clusters.prod2!, { env: 'prod' });
    expect((await ops.assignment(clusters.dev1!))!.bindings).toEqual([]);
  });

  it('rollback pins an earlier revision until unpinned, also across new commits', async () => {
    const first = (await ops.call('GET', '/tenants/team-a/bindings/web/history')).body.items.at(-1);
    const rolled = await ops.call('POST', '/tenants/team-a/bindings/web/rollback', {
      revision: first.number,
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body.pinned).toEqual({ revision: 1, commit: first.commit });
    expect(await digestOn('prod1')).toBe(first.bundleDigest);

    await repo.commitFiles(kustomizeApp('1.3'), 'while pinned');
    await ops.call('POST', '/tenants/team-a/bindings/web/sync');
    expect(await digestOn('prod1')).toBe(first.bundleDigest);
    expect((await binding()).body.revisionNumber).toBe(3);

    expect((await ops.call('POST', '/tenants/team-a/bindings/web/unpin')).status).toBe(200);
    const latest = (await binding()).body;
    expect(latest.pinned).toBeNull();
    expect((await ops.assignment(clusters.prod1!))!.bindings[0]!.commit).toBe(latest.revision);

    const bad = await ops.call('POST', '/tenants/team-a/bindings/web/rollback', { revision: 99 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('revision');
  });

  it('suspends and resumes through the assignment', async () => {
    await ops.call('POST', '/tenants/team-a/bindings/web/suspend');
    expect((await ops.assignment(clusters.prod1!))!.bindings[0]!.suspended).toBe(true);
    await ops.call('POST', '/tenants/team-a/bindings/web/resume');
    expect((await ops.assignment(clusters.prod1!))!.bindings[0]!.suspended).toBe(false);
  });

  it('previews matching clusters and objects without publishing', async () => {
    const before = (await ops.assignment(clusters.prod1!))!.revision;
    await repo.commitFiles(kustomizeApp('1.4'), 'not yet synced');
    const preview = await ops.call('POST', '/tenants/team-a/bindings/web/preview');
    expect(preview.status).toBe(200);
    expect(
      preview.body.clusters.map((c: { name: string; accepted: boolean }) => [c.name, c.accepted]),
    ).toEqual([
      ['prod-1', true],
      ['prod-2', true],
    ]);
    expect(JSON.stringify(preview.body.objects)).toContain('nginx:1.4');
    expect((await ops.assignment(clusters.prod1!))!.revision).toBe(before);
  });

  describe('a revision failing a check is never published; clusters keep the last good bundle', () => {
    let lastGood: string | undefined;

    const commitAndSync = async (files: Record<string, string | null>) => {
      await repo.commitFiles(files, 'change');
      const synced = await ops.call('POST', '/tenants/team-a/bindings/web/sync');
      expect(synced.status).toBe(200);
      return synced.body;
    };

    beforeAll(async () => {
      await commitAndSync({});
      lastGood = await digestOn('prod1');
    });

    it('blocks an AWS key in a ConfigMap without showing it', async () => {
      const view = await commitAndSync({
        'web/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - cm.yaml\n',
        'web/base/cm.yaml': configMap('creds', `  AWS_ACCESS_KEY_ID: ${AWS_KEY_ID}\n`),
      });
      expect(view.status).toBe('blocked');
      expect(view.checks.secrets.passed).toBe(false);
      expect(view.checks.secrets.findings[0]).toMatchObject({ ruleId: '@secretlint/secretlint-rule-aws' });
      expect(view.checks.secrets.findings[0].line).toBeGreaterThan(0);
      expect(JSON.stringify(view)).not.toContain(AWS_KEY_ID);
      expect(
        JSON.stringify((await ops.call('GET', '/tenants/team-a/bindings/web/history')).body),
      ).not.toContain(AWS_KEY_ID);
      expect(await digestOn('prod1')).toBe(lastGood);
    });

    it('blocks a private key in a Secret without showing it', async () => {
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      const encoded = Buffer.from(privateKey).toString('base64');
      const view = await commitAndSync({
        'web/base/cm.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ndata:\n  key.pem: ${encoded}\n`,
      });
      expect(view.status).toBe('blocked');
      expect(view.checks.secrets.findings[0]).toMatchObject({
        ruleId: '@secretlint/secretlint-rule-privatekey',
      });
      expect(JSON.stringify(view)).not.toContain(encoded.slice(0, 40));
      expect(JSON.stringify(view)).not.toContain(privateKey.split('\n')[1]);
      expect(await digestOn('prod1')).toBe(lastGood);
    });

    it('blocks a cluster-scoped kind the grant does not allow, naming the reason', async () => {
      const view = await commitAndSync({
        'web/base/cm.yaml':
          'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: admin-ish\nrules: []\n',
      });
      expect(view.status).toBe('blocked');
      expect(view.checks.policy.passed).toBe(false);
      expect(view.checks.policy.findings[0]).toMatchObject({
        rule: 'cluster-scoped-kind',
        clusterName: 'prod-1',
        object: expect.stringContaining('ClusterRole'),
      });
      expect(view.checks.policy.findings[0].message).toContain(
        'rbac.authorization.k8s.io/ClusterRole is not allowed',
      );
      expect(await digestOn('prod1')).toBe(lastGood);
    });

    it('blocks an object in a namespace outside the grant', async () => {
      const view = await commitAndSync({
        'web/base/cm.yaml': `${configMap('elsewhere', '  a: b\n').replace('name: elsewhere', 'name: elsewhere\n  namespace: kube-system')}`,
      });
      expect(view.status).toBe('blocked');
      expect(view.checks.policy.findings[0]).toMatchObject({ rule: 'namespace' });
      expect(view.checks.policy.findings[0].message).toContain('"kube-system" is not allowed');
      expect(await digestOn('prod1')).toBe(lastGood);
    });

    it('blocks an object failing a CEL rule of the grant with the rule’s message, and releases it when the grant changes', async () => {
      const rule = {
        expression: "object.kind != 'ConfigMap' || has(object.metadata.labels.owner)",
        message: 'ConfigMaps need an owner label',
      };
      expect((await ops.call('PATCH', '/tenants/team-a/grants/prod', { rules: [rule] })).status).toBe(200);
      const view = await commitAndSync({ 'web/base/cm.yaml': configMap('plain', '  a: b\n') });
      expect(view.status).toBe('blocked');
      expect(view.checks.policy.findings[0]).toMatchObject({
        rule: 'cel',
        message: 'ConfigMaps need an owner label',
        grant: 'prod',
      });
      expect(await digestOn('prod1')).toBe(lastGood);

      // The grant change alone reschedules: the same revision now passes.
      expect((await ops.call('PATCH', '/tenants/team-a/grants/prod', { rules: [] })).status).toBe(200);
      const current = (await binding()).body;
      expect(current.checks.policy.passed).toBe(true);
      expect((await ops.assignment(clusters.prod1!))!.bindings[0]!.commit).toBe(current.revision);
    });
  });

  it('removes a deleted binding from every cluster', async () => {
    expect((await ops.call('DELETE', '/tenants/team-a/bindings/web')).status).toBe(204);
    expect((await ops.assignment(clusters.prod1!))!.bindings).toEqual([]);
    expect((await ops.assignment(clusters.prod2!))!.bindings).toEqual([]);
  });

  it('refuses bad grants and bindings by field, storing nothing', async () => {
    const grant = await ops.call('POST', '/tenants/team-a/grants', {
      ...prodGrant,
      name: 'broken',
      clusterSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] },
      rules: [{ expression: 'object.kind ==', message: 'x' }],
    });
    expect(grant.status).toBe(400);
    expect(grant.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'clusterSelector.matchExpressions.0.values',
      'rules.0.expression',
    ]);
    const bad = await ops.call('POST', '/tenants/team-a/bindings', {
      name: 'bad',
      repository: 'apps',
      ref: '-upload-pack=evil',
      path: '../../etc',
      clusterSelector: {},
      namespace: 'team-a-web',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['path', 'ref']);
    const foreign = await ops.call('POST', '/tenants/team-a/bindings', {
      name: 'bad',
      repository: 'apps',
      ref: 'main',
      clusterSelector: {},
      namespace: 'kube-system',
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0]).toMatchObject({ field: 'namespace' });
    expect(await ops.hub.sql(`SELECT 1 FROM binding WHERE name = 'bad'`)).toEqual([]);
    expect(await ops.hub.sql(`SELECT 1 FROM tenant_grant WHERE name = 'broken'`)).toEqual([]);
  });

  it('a removed cluster may no longer fetch the bundles it had', async () => {
    const removed = await ops.cluster('gone', { env: 'prod' });
    expect(
      (
        await ops.call('POST', '/tenants/team-a/bindings', {
          name: 'again',
          repository: 'apps',
          ref: 'main',
          path: 'web/overlays/prod',
          clusterSelector: { matchLabels: { env: 'prod' } },
          namespace: 'team-a-web',
        })
      ).status,
    ).toBe(201);
    const digest = (await ops.assignment(removed))!.bindings[0]!.bundleDigest;
    const access = ops.hub.app.get(BundleAccess);
    expect((await access.fetch(removed, { digest })).status).toBe('ok');
    await ops.hub.sql(`DELETE FROM cluster WHERE id = $1`, [removed]);
    await ops.scheduler.clusterRemoved(removed);
    expect((await access.fetch(removed, { digest })).status).toBe('forbidden');
    expect((await access.fetch(removed, { digest: `sha256:${'f'.repeat(64)}` })).status).toBe('not-found');
  });
});
