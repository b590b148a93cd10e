import type { KubeObject } from '@flotilla/manifests';
import { describe, expect, it } from 'vitest';
import { emptyInventory, nextInventory, staleEntries, stubObject } from './inventory.js';

const cm = (name: string, apiVersion = 'v1'): KubeObject => ({
  apiVersion,
  kind: 'ConfigMap',
  metadata: { name, namespace: 'team-a' },
});
const id = (name: string) => ({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'team-a', name });

describe('staleEntries', () => {
  it('is what the previous inventory has and the desired set does not', () => {
    const previous = { ...emptyInventory('b', 't'), entries: [id('a'), id('b'), id('c')] };
    expect(staleEntries(previous, [cm('b')]).map((e) => e.name)).toEqual(['a', 'c']);
  });

  it('ignores the version: one object served at two versions is not stale', () => {
    const previous = {
      ...emptyInventory('b', 't'),
      entries: [{ ...id('a'), group: 'example.com', kind: 'Widget' }],
    };
    const widget = {
      apiVersion: 'example.com/v2',
      kind: 'Widget',
      metadata: { name: 'a', namespace: 'team-a' },
    };
    expect(staleEntries(previous, [widget])).toEqual([]);
  });
});

describe('nextInventory', () => {
  const previous = {
    ...emptyInventory('b', 't'),
    appliedDigest: 'sha256:old',
    commit: 'c-old',
    entries: [id('x')],
  };

  it('records the desired objects and stale objects whose prune failed, sorted, with the applied digest', () => {
    const next = nextInventory(previous, [cm('b'), cm('a')], [id('x')], {
      digest: 'sha256:new',
      commit: 'c-new',
    });
    expect(next).toEqual({
      bindingId: 'b',
      tenant: 't',
      appliedDigest: 'sha256:new',
      commit: 'c-new',
      entries: [id('a'), id('b'), id('x')],
    });
  });

  it('keeps the previous digest when the bundle was not fully applied', () => {
    const next = nextInventory(previous, [cm('a')], []);
    expect(next.appliedDigest).toBe('sha256:old');
    expect(next.entries).toEqual([id('a')]);
  });

  it('has no digest before anything was applied', () => {
    expect(nextInventory(emptyInventory('b', 't'), [cm('a')], [])).not.toHaveProperty('appliedDigest');
  });
});

describe('stubObject', () => {
  it('rebuilds apiVersion, kind and name for sorting', () => {
    expect(
      stubObject({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'n', name: 'd' }),
    ).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'n' },
    });
    expect(stubObject({ group: '', version: 'v1', kind: 'Namespace', name: 'n' }).metadata).toEqual({
      name: 'n',
    });
  });
});
