import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusReport } from '@flotilla/contracts';
import { GitTestServer, KubeTestServer, type TestRepo } from '@flotilla/testing';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Agent } from '../../services/agent/src/agent.js';
import { HUB_CONFIG, type HubConfig } from '../../services/hub/src/config/config.js';
import { HubMessaging, natsUrl } from '../../services/hub/src/messaging/hub-messaging.service.js';
import { deployment, GitOpsHub, prodGrant, type Json } from '../../services/hub/test/gitops-fixture.js';

const AGENT_NAMESPACE = 'flotilla-system';
const APP_NAMESPACE = 'team-a-web';

const settings = (color: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: ${color}\n`;
/** A kustomize base (Deployment + ConfigMap) and a prod overlay that sets the image tag. */
const app = (tag: string, resources = ['deployment.yaml', 'settings.yaml']) => ({
  'web/base/deployment.yaml': deployment('web', 'nginx:1.0'),
  'web/base/settings.yaml': settings('blue'),
  'web/base/kustomization.yaml': `resources:\n${resources.map((r) => `  - ${r}\n`).join('')}`,
  'web/overlays/prod/kustomization.yaml': `resources:\n  - ../../base\nimages:\n  - name: nginx\n    newTag: "${tag}"\n`,
});

describe('GitOps loop: commit → webhook → bundle → assignment → agent applies → hub shows it', () => {
  let git: GitTestServer;
  let kube: KubeTestServer;
  let ops: GitOpsHub;
  let repo: TestRepo;
  let objects: KubernetesObjectApi;
  let agent: Agent;
  let stateDir: string;
  let repository: { id: string; webhookSecret: string };
  let clusterId: string;
  let deliveries = 0;

  /** Pushes like GitHub does: a signed webhook delivery for the new commit. */
  const push = async (files: Record<string, string | null>, message: string) => {
    const commit = await repo.commitFiles(files, message);
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: commit,
      repository: { clone_url: repo.url },
    });
    const answer = await ops.hub.call('POST', `/api/v1/webhooks/github/${repository.id}`, {
      raw: body,
      token: null,
      headers: {
        'x-github-event': 'push',
        'x-github-delivery': `delivery-${++deliveries}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', repository.webhookSecret).update(body).digest('hex')}`,
      },
    });
    expect(answer.status).toBe(202);
    return commit;
  };
  const edge = async (): Promise<Json> =>
    (await ops.call('GET', '/tenants/team-a/bindings/web')).body.clusters.find(
      (c: { name: string }) => c.name === 'edge-1',
    );
  /** Waits until the hub shows edge-1 Synced and Healthy on the bundle of `commit`. */
  const settled = async (commit: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const cluster = await edge();
      const done =
        cluster?.commit === commit &&
        cluster.appliedDigest === cluster.bundleDigest &&
        cluster.syncState === 'Synced' &&
        cluster.health === 'Healthy';
      if (done) return cluster;
      if (Date.now() > deadline)
        throw new Error(`edge-1 not settled on ${commit}: ${JSON.stringify(cluster)}`);
      await new Promise((resume) => setTimeout(resume, 100));
    }
  };
  /** Every object result the hub received from edge-1 for bundle `digest`. */
  const reportedActions = async (digest: string) => {
    const rows = await ops.hub.sql<{ report: StatusReport }>(
      `SELECT report FROM cluster_report WHERE cluster_id = $1 ORDER BY seq`,
      [clusterId],
    );
    return rows.flatMap(({ report }) =>
      report.bindings
        .filter((b) => b.appliedDigest === digest)
        .flatMap((b) => b.objects.map((o) => `${o.kind}/${o.name}:${o.action}`)),
    );
  };
  const read = (kind: string, name: string, apiVersion = 'v1'): Promise<Json> =>
    objects
      .read({ apiVersion, kind, metadata: { name, namespace: APP_NAMESPACE } })
      .catch((error: { code?: number }) => (error.code === 404 ? null : Promise.reject(error)));
  const image = async () =>
    (await read('Deployment', 'web', 'apps/v1'))?.spec.template.spec.containers[0].image;

  /** A `kubectl edit` of the Deployment's image, by another field manager. */
  const editImage = async (to: string) => {
    await objects.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: APP_NAMESPACE },
        spec: { template: { spec: { containers: [{ name: 'web', image: to }] } } },
      } as KubernetesObject,
      undefined,
      undefined,
      'kubectl-edit',
      undefined,
      PatchStrategy.StrategicMergePatch,
    );
    expect(await image()).toBe(to);
  };

  beforeAll(async () => {
    git = await GitTestServer.start();
    kube = await KubeTestServer.start({
      tls: true,
      simulateControllers: { availabilityDelayMs: 200 },
      namespaces: [APP_NAMESPACE],
    });
    const admin = new KubeConfig();
    admin.loadFromString(kube.kubeconfig());
    objects = KubernetesObjectApi.makeApiClient(admin);
    ops = await GitOpsHub.start(git);
    stateDir = await mkdtemp(join(tmpdir(), 'flotilla-agent-state-'));

    await ops.hub.tenant('team-a');
    expect((await ops.call('POST', '/tenants/team-a/grants', prodGrant)).status).toBe(201);
    repo = await git.createRepo('apps');
    await repo.commitFiles(app('1.1'), 'first');
    repository = (await ops.call('POST', '/tenants/team-a/repositories', { name: 'apps', url: repo.url }))
      .body;

    // Register the cluster through the API and install its agent from install.yaml.
    const created = await ops.call('POST', '/clusters', { name: 'edge-1', labels: { env: 'prod' } });
    expect(created.status).toBe(201);
    clusterId = created.body.id;
    const yaml = await (
      await fetch(`${ops.hub.url}/api/v1/clusters/edge-1/install.yaml`, {
        headers: { authorization: `Bearer ${ops.hub.adminToken}` },
      })
    ).text();
    for (const doc of parseAllDocuments(yaml)) await objects.create(doc.toJS() as KubernetesObject);

    // The agent acts with its own ServiceAccount from install.yaml (proving its RBAC suffices)
    // and takes the hub's bundle key from the install Secret, as the pod's env does.
    const kubeconfig = kube.kubeconfig({
      token: kube.serviceAccountToken(AGENT_NAMESPACE, 'flotilla-agent'),
    });
    const secret: Json = await objects.read({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flotilla-agent-registration', namespace: AGENT_NAMESPACE },
    });
    agent = new Agent({
      natsUrl: natsUrl(ops.hub.app.get<HubConfig>(HUB_CONFIG)),
      kube: { kubeconfig },
      retryMs: 200,
      heartbeatIntervalMs: 5_000,
      reconcile: {
        bundlePublicKey: Buffer.from(secret.data.bundlePublicKey, 'base64').toString(),
        stateDir,
        kubeClient: { rateLimit: { qps: 200, burst: 200 } },
        tuning: { debounceMs: 100, watchBackoff: { baseMs: 50, maxMs: 500 } },
      },
    });
    agent.start();
  });

  afterAll(async () => {
    await agent?.stop();
    await ops?.stop();
    await kube?.stop();
    await git?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  let first: Json;

  it('applies a bound kustomize app and shows the cluster Synced and Healthy', async () => {
    const bound = await ops.call('POST', '/tenants/team-a/bindings', {
      name: 'web',
      repository: 'apps',
      ref: 'main',
      path: 'web/overlays/prod',
      clusterSelector: { matchLabels: { env: 'prod' } },
      namespace: APP_NAMESPACE,
      syncPolicy: { automated: true, prune: true, selfHeal: true },
    });
    expect(bound.status).toBe(201);
    first = await settled(bound.body.revision);
    expect(first.objects.map((o: Json) => `${o.kind}/${o.name}:${o.health}`).sort()).toEqual([
      'ConfigMap/settings:Healthy',
      'Deployment/web:Healthy',
    ]);
    expect(await image()).toBe('nginx:1.1');
    const detail = await ops.call('GET', '/tenants/team-a/bindings/web/clusters/edge-1');
    expect(detail.body.history.items[0]).toMatchObject({ syncState: 'Synced', health: 'Healthy' });
  });

  it('a pushed edit configures that object only; a hand-made object is left alone', async () => {
    await objects.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'by-hand', namespace: APP_NAMESPACE },
      data: { mine: 'yes' },
    } as KubernetesObject);
    const commit = await push(
      { 'web/overlays/prod/kustomization.yaml': app('1.2')['web/overlays/prod/kustomization.yaml'] },
      'bump',
    );
    const view = await settled(commit);
    expect(await image()).toBe('nginx:1.2');
    const actions = await reportedActions(view.appliedDigest);
    expect(actions).toContain('Deployment/web:configured');
    expect(actions).not.toContain('ConfigMap/settings:configured');
  });

  it('a file deleted in Git is pruned; the hand-made object survives', async () => {
    const commit = await push(
      { 'web/base/settings.yaml': null, 'web/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n' },
      'drop settings',
    );
    const view = await settled(commit);
    expect(await reportedActions(view.appliedDigest)).toContain('ConfigMap/settings:pruned');
    expect(await read('ConfigMap', 'settings')).toBeNull();
    expect((await read('ConfigMap', 'by-hand'))?.data).toEqual({ mine: 'yes' });
  });

  it('reverts a change made by another field manager (self-heal)', async () => {
    const digest = (await edge()).appliedDigest;
    const configured = async () =>
      (await reportedActions(digest)).filter((a) => a === 'Deployment/web:configured').length;
    const before = await configured();
    await editImage('evil:latest');
    await ops.eventually(async () => (await image()) === 'nginx:1.2', 15_000);
    await ops.eventually(async () => (await configured()) > before, 15_000);
  });

  it('without self-heal, drift is reported field by field and left in place', async () => {
    const policy = { automated: true, prune: true, selfHeal: false };
    const patched = await ops.call('PATCH', '/tenants/team-a/bindings/web', { syncPolicy: policy });
    expect(patched.status).toBe(200);
    await ops.eventually(
      async () =>
        (await ops.hub.app.get(HubMessaging).getAssignment(clusterId))?.bindings[0]?.syncPolicy.selfHeal ===
        false,
    );
    await editImage('hand-edited:1');
    const drifted = await ops.eventually(async () => {
      const web = (await edge())?.objects?.find((o: Json) => o.kind === 'Deployment' && o.name === 'web');
      return web?.action === 'drifted' ? web : null;
    }, 15_000);
    expect(drifted.driftedFields).toContain('spec.template.spec.containers[0].image');
    expect((await edge()).syncState).toBe('OutOfSync');
    expect(await image()).toBe('hand-edited:1');
    // Back to self-heal for the rest: the drift is reverted.
    await ops.call('PATCH', '/tenants/team-a/bindings/web', { syncPolicy: { ...policy, selfHeal: true } });
    await ops.eventually(async () => (await image()) === 'nginx:1.2', 15_000);
  });

  it('rollback applies the earlier revision and keeps it under a new commit', async () => {
    const rolled = await ops.call('POST', '/tenants/team-a/bindings/web/rollback', { revision: 1 });
    expect(rolled.status).toBe(200);
    await settled(first.commit);
    expect(await image()).toBe('nginx:1.1');
    expect(await read('ConfigMap', 'settings')).not.toBeNull();

    const later = await push(
      { 'web/overlays/prod/kustomization.yaml': app('1.9')['web/overlays/prod/kustomization.yaml'] },
      'while pinned',
    );
    await ops.eventually(
      async () => (await ops.call('GET', '/tenants/team-a/bindings/web')).body.revision === later,
    );
    const view = await settled(first.commit);
    expect(view.appliedDigest).toBe(first.appliedDigest);
    expect(await image()).toBe('nginx:1.1');
  });

  it('shows the loop in the Prometheus metrics', async () => {
    const metrics = (await ops.hub.call('GET', '/metrics', { token: null })).body as string;
    const value = (series: string) => {
      const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    expect(value('flotilla_git_fetch_duration_seconds_count{outcome="ok"}')).toBeGreaterThan(0);
    expect(value('flotilla_status_ingest_lag_seconds_count')).toBeGreaterThan(0);
    expect(value('flotilla_reconcile_duration_seconds_count{sync_state="Synced"}')).toBeGreaterThan(0);
    expect(value('flotilla_status_messages_total{kind="status"}')).toBeGreaterThan(0);
    // Webhook deliveries are counted by the HTTP histogram, under their route template.
    expect(
      value(
        'flotilla_http_request_duration_seconds_count{method="POST",route="/api/v1/webhooks/:provider/:repositoryId",status="202"}',
      ),
    ).toBeGreaterThanOrEqual(deliveries);
  });
});
