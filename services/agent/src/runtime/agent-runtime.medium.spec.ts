import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StatusReport } from '@flotilla/contracts';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { configMap, editAsOtherManager, TENANT } from '../reconcile/medium-fixture.js';
import type { AgentRuntime } from './agent-runtime.js';
import { startHarness, type RuntimeHarness } from './runtime-fixture.js';

const SECRET_VALUE = 'hunter2-from-git';
const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db' },
  type: 'Opaque',
  stringData: { password: SECRET_VALUE },
};
const settingsId = { group: '', version: 'v1', kind: 'ConfigMap', namespace: TENANT, name: 'settings' };
const selfHealing = { bindingId: 'b-1', syncPolicy: { selfHeal: true } };

let h: RuntimeHarness;
let runtime: AgentRuntime;

beforeAll(async () => {
  h = await startHarness();
  runtime = await h.runtime({ resyncIntervalMs: 300 });
  await runtime.start();
  await runtime.onConnected(await h.connect());
});
afterAll(() => h?.close());

async function reportFor(revision: number, accept: (report: StatusReport) => boolean = () => true) {
  return vi.waitFor(
    async () => {
      const found = (await h.reports()).find((r) => r.assignmentRevision === revision && accept(r));
      expect(found).toBeDefined();
      return found!;
    },
    { timeout: 15_000, interval: 100 },
  );
}

const settingsData = async () =>
  ((await h.kube.manager.get(settingsId))?.data ?? {}) as Record<string, string>;

it('applies an assignment and publishes a Synced report with its objects, never the Secret values', async () => {
  const assignment = await h.assign(1, [
    { ...selfHealing, objects: [configMap('settings', { mode: 'a' }), secret] },
  ]);

  const report = await reportFor(1, (r) => r.bindings[0]?.syncState === 'Synced');

  expect(report.bindings[0]).toMatchObject({
    bindingId: 'b-1',
    appliedDigest: assignment.bindings[0]!.bundleDigest,
    health: 'Healthy',
  });
  expect(report.bindings[0]!.objects.map((o) => `${o.kind}/${o.name}`).sort()).toEqual([
    'ConfigMap/settings',
    'Secret/db',
  ]);
  expect(await settingsData()).toEqual({ mode: 'a' });
  const published = JSON.stringify(await h.reports());
  expect(published).not.toContain(SECRET_VALUE);
  expect(published).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'));
  expect(h.bundleFetches.get(assignment.bindings[0]!.bundleDigest)).toBe(1);
});

it('reconciles a newer revision announced by a notice', async () => {
  const assignment = await h.assign(2, [
    { ...selfHealing, objects: [configMap('settings', { mode: 'b' }), secret] },
  ]);

  await reportFor(2, (r) => r.bindings[0]?.appliedDigest === assignment.bindings[0]!.bundleDigest);

  expect(await settingsData()).toEqual({ mode: 'b' });
  expect(runtime.assignmentRevision).toBe(2);
});

it('makes no API writes when periodic resyncs find nothing changed', async () => {
  const before = (await h.reports()).length;
  h.kube.server.stats.reset();

  // Several 300 ms resyncs, each reconciling (self-heal) and reporting.
  await vi.waitFor(async () => expect((await h.reports()).length).toBeGreaterThanOrEqual(before + 3), {
    timeout: 10_000,
    interval: 100,
  });

  expect(h.kube.server.stats.writes).toBe(0);
  expect(h.kube.server.stats.changes).toBe(0);
  expect((await h.reports()).at(-1)!.bindings[0]!.objects.every((o) => o.action === 'unchanged')).toBe(true);
});

it('converges after API errors, throttling and dropped watches', async () => {
  const { faults } = h.kube.server;
  await editAsOtherManager(h.kube, settingsId, (live) => {
    live.data = { mode: 'edited-by-hand' };
  });
  // Right behind the edit, before the agent's (50 ms debounced) reconcile reaches the server.
  faults.inject({ status: 500, count: 6, match: { verb: ['get', 'patch'], resource: 'configmaps' } });
  faults.throttle({ retryAfterSeconds: 1, count: 2, match: { verb: 'list' } });
  faults.inject({ status: 500, count: 3, match: { verb: 'watch' } });
  faults.dropWatches({ abrupt: true });

  await vi.waitFor(async () => expect(await settingsData()).toEqual({ mode: 'b' }), {
    timeout: 20_000,
    interval: 100,
  });
  faults.reset();
  const reverted = await reportFor(2, (r) =>
    r.bindings[0]!.objects.some((o) => o.name === 'settings' && o.action === 'configured'),
  );
  expect(reverted.bindings[0]!.objects.find((o) => o.name === 'settings')?.driftedFields).toEqual([
    'data.mode',
  ]);
});

it('prunes a binding that left the assignment and drops its bundle from the cache', async () => {
  const previous = (await h.reports()).at(-1)!.bindings[0]!.appliedDigest!;
  await h.assign(3, [{ bindingId: 'b-2', objects: [configMap('other', { x: '1' })] }]);

  await vi.waitFor(async () => expect(await h.kube.manager.get(settingsId)).toBeUndefined(), {
    timeout: 15_000,
    interval: 100,
  });
  const removed = await reportFor(3, (r) => r.bindings.some((b) => b.bindingId === 'b-1'));
  expect(removed.bindings.find((b) => b.bindingId === 'b-1')).toMatchObject({
    syncState: 'Synced',
    appliedDigest: null,
  });
  const cached = await readdir(join(h.stateDir, 'bundles'));
  expect(cached).not.toContain(previous.replace(':', '-'));
  expect(cached).toHaveLength(1);
});

it('follows a link once, however often the agent greets the hub on it again', async () => {
  const link = await h.connect();
  let followers = 0;
  const counted = new Proxy(link, {
    get(target, property, receiver) {
      if (property === 'status') {
        return () => {
          followers++;
          return target.status();
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  for (let greeting = 0; greeting < 3; greeting++) await runtime.onConnected(counted);
  expect(followers).toBe(1);
});
