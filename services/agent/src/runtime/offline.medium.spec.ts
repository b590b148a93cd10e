import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { configMap, editAsOtherManager, TENANT } from '../reconcile/medium-fixture.js';
import type { AgentRuntime } from './agent-runtime.js';
import { startHarness, type RuntimeHarness } from './runtime-fixture.js';

const settingsId = { group: '', version: 'v1', kind: 'ConfigMap', namespace: TENANT, name: 'settings' };
const wait = { timeout: 15_000, interval: 100 };

let h: RuntimeHarness;
let runtime: AgentRuntime;

beforeAll(async () => {
  h = await startHarness();
  // A resync interval far beyond the test: drift can only be found by the watches.
  runtime = await h.runtime({ resyncIntervalMs: 600_000 });
  await runtime.start();
  await runtime.onConnected(await h.connect());
  await h.assign(1, [
    { bindingId: 'b-1', syncPolicy: { selfHeal: true }, objects: [configMap('settings', { mode: 'a' })] },
  ]);
  await vi.waitFor(
    async () => expect((await h.reports()).some((r) => r.bindings[0]?.syncState === 'Synced')).toBe(true),
    wait,
  );
});
afterAll(() => h?.close());

const settingsData = async () => (await h.kube.manager.get(settingsId))?.data;

it('restarts dropped and failing watches, and they still catch the next edit', async () => {
  h.kube.server.faults.inject({ status: 500, count: 3, match: { verb: 'watch' } });
  expect(h.kube.server.faults.dropWatches({ abrupt: true })).toBeGreaterThan(0);
  await editAsOtherManager(h.kube, settingsId, (live) => {
    live.data = { mode: 'edited-while-watches-were-down' };
  });

  await vi.waitFor(async () => expect(await settingsData()).toEqual({ mode: 'a' }), wait);
  h.kube.server.faults.reset();
});

it('self-heals from a watch event with NATS down and publishes the queued report on reconnection', async () => {
  const published = (await h.reports()).length;
  await h.nats.server.pause();
  await editAsOtherManager(h.kube, settingsId, (live) => {
    live.data = { mode: 'edited-by-hand' };
  });

  await vi.waitFor(async () => expect(await settingsData()).toEqual({ mode: 'a' }), wait);
  await vi.waitFor(() => expect(runtime.queuedReports).toBe(1), wait);
  await h.nats.server.resume();

  await vi.waitFor(() => expect(runtime.queuedReports).toBe(0), wait);
  // Only the binding's latest status is kept while offline; it is the one published now.
  const after = (await h.reports()).slice(published);
  expect(after.length).toBeGreaterThan(0);
  expect(after.at(-1)!.bindings[0]).toMatchObject({ bindingId: 'b-1', syncState: 'Synced' });
  expect(after.at(-1)!.seq).toBeGreaterThan(
    Math.max(...(await h.reports()).slice(0, published).map((r) => r.seq)),
  );
});

it('enforces from its local cache after a restart with NATS down, and reports once NATS is back', async () => {
  await runtime.stop();
  const lastSeq = Math.max(...(await h.reports()).map((r) => r.seq));
  await h.nats.server.pause();
  await editAsOtherManager(h.kube, settingsId, (live) => {
    live.data = { mode: 'edited-while-agent-was-down' };
  });

  const restarted = await h.runtime({ resyncIntervalMs: 600_000 });
  await restarted.start();

  expect(restarted.assignmentRevision).toBe(1);
  await vi.waitFor(async () => expect(await settingsData()).toEqual({ mode: 'a' }), wait);
  await vi.waitFor(() => expect(restarted.queuedReports).toBe(1), wait);

  await h.nats.server.resume();
  await restarted.onConnected(await h.connect());
  await vi.waitFor(() => expect(restarted.queuedReports).toBe(0), wait);
  const resent = (await h.reports()).filter((r) => r.seq > lastSeq);
  expect(resent.length).toBeGreaterThan(0);
  expect(resent[0]!.bindings[0]!.objects).toContainEqual(
    expect.objectContaining({ name: 'settings', action: 'configured' }),
  );
});
