import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Assignment } from '@flotilla/contracts';
import { freePort, type GitTestServer } from '@flotilla/testing';
import { HubMessaging } from '../src/messaging/hub-messaging.service.js';
import { SchedulerService } from '../src/scheduler/scheduler.service.js';
import { TestHub, type Json } from './harness.js';

/**
 * A hub with its own managed NATS (JetStream KV for assignments) and a data dir of its own,
 * allowed to fetch from the test Git server over plain http.
 */
export class GitOpsHub {
  private constructor(
    readonly hub: TestHub,
    private readonly dataDir: string,
  ) {}

  static async start(git: GitTestServer, env: Record<string, string> = {}): Promise<GitOpsHub> {
    const dataDir = await mkdtemp(join(tmpdir(), 'flotilla-gitops-'));
    const hub = await TestHub.start({
      FLOTILLA_NATS_MODE: 'managed',
      FLOTILLA_NATS_PORT: String(await freePort()),
      FLOTILLA_DATA_DIR: dataDir,
      FLOTILLA_GIT_ALLOWED_HOSTS: git.baseUrl,
      ...env,
    });
    await hub.app.get(HubMessaging).ready();
    return new GitOpsHub(hub, dataDir);
  }

  async stop(): Promise<void> {
    await this.hub.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Registers a cluster row directly (the clusters API is another module's) and schedules it. */
  async cluster(
    name: string,
    labels: Record<string, string>,
    tenantId: string | null = null,
  ): Promise<string> {
    const id = randomUUID();
    await this.hub.sql(
      `INSERT INTO cluster (id, name, tenant_id, labels, created_by) VALUES ($1, $2, $3, $4, 'test')`,
      [id, name, tenantId, JSON.stringify(labels)],
    );
    await this.scheduler.clusterChanged(id);
    return id;
  }

  async relabel(id: string, labels: Record<string, string>): Promise<void> {
    await this.hub.sql(`UPDATE cluster SET labels = $2 WHERE id = $1`, [id, JSON.stringify(labels)]);
    await this.scheduler.clusterChanged(id);
  }

  get scheduler(): SchedulerService {
    return this.hub.app.get(SchedulerService);
  }

  /** Read back from the JetStream key-value bucket, as an agent would. */
  assignment(clusterId: string): Promise<Assignment | null> {
    return this.hub.app.get(HubMessaging).getAssignment(clusterId);
  }

  async tenantId(slug: string): Promise<string> {
    const [row] = await this.hub.sql<{ id: string }>(`SELECT id FROM tenant WHERE slug = $1`, [slug]);
    return row!.id;
  }

  call(method: string, path: string, body?: unknown, token?: string) {
    return this.hub.call(method, `/api/v1${path}`, { body, ...(token !== undefined && { token }) });
  }

  /** Polls until `check` returns a value (background refreshes after webhooks). */
  async eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export const prodGrant = {
  name: 'prod',
  clusterSelector: { matchLabels: { env: 'prod' } },
  namespaces: ['team-a-*'],
  clusterScopedKinds: [],
  rules: [],
};

export const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;

/** A kustomize base plus a prod overlay that patches the image. */
export function kustomizeApp(image: string): Record<string, string> {
  return {
    'web/base/deployment.yaml': deployment('web', 'nginx:1.0'),
    'web/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'web/overlays/prod/kustomization.yaml': `resources:\n  - ../../base\nimages:\n  - name: nginx\n    newTag: "${image}"\n`,
  };
}

export type { Json };
