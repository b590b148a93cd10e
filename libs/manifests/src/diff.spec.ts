import { describe, expect, it } from 'vitest';
import { diffObjects, REDACTED } from './diff.js';
import type { KubeObject } from './types.js';

const desired: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
};

describe('diffObjects', () => {
  it('reports nothing when only fields absent from desired differ', () => {
    const live = structuredClone(desired) as KubeObject & { spec: Record<string, unknown> };
    live.metadata.uid = 'u';
    live.spec.strategy = { type: 'RollingUpdate' };
    (
      live.spec.template as { spec: { containers: Array<Record<string, unknown>> } }
    ).spec.containers[0]!.imagePullPolicy = 'Always';
    live.status = { readyReplicas: 2 };
    expect(diffObjects(desired, live)).toEqual([]);
  });

  it('lists the paths that differ, with both values', () => {
    const live = structuredClone(desired);
    live.metadata.labels = { 'app.kubernetes.io/name': 'other' };
    (live.spec as { replicas: number }).replicas = 5;
    (live.spec as { template: unknown }).template = {
      spec: { containers: [{ name: 'web', image: 'nginx:2' }] },
    };
    expect(diffObjects(desired, live)).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/name"]', desired: 'web', live: 'other' },
      { path: 'spec.replicas', desired: 2, live: 5 },
      { path: 'spec.template.spec.containers[0].image', desired: 'nginx:1', live: 'nginx:2' },
    ]);
  });

  it('reports a whole list when its length changed, and missing fields', () => {
    const live = structuredClone(desired);
    (live.spec as { template: unknown }).template = { spec: { containers: [] } };
    delete (live.spec as { replicas?: number }).replicas;
    expect(diffObjects(desired, live)).toEqual([
      { path: 'spec.replicas', desired: 2, live: undefined },
      { path: 'spec.template.spec.containers', desired: [{ name: 'web', image: 'nginx:1' }], live: [] },
    ]);
  });

  it('never returns secret values and compares stringData with the folded data', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: Buffer.from('one').toString('base64') },
      stringData: { b: 'two', c: 'three' },
    };
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: Buffer.from('changed').toString('base64'), b: Buffer.from('two').toString('base64') },
    };
    const drift = diffObjects(secret, live);
    expect(drift).toEqual([
      { path: 'data.a', desired: REDACTED, live: REDACTED },
      { path: 'data.c', desired: REDACTED, live: undefined },
    ]);
    expect(JSON.stringify(diffObjects(secret, { ...live, data: undefined }))).not.toMatch(
      /dHdv|b25l|two|one/,
    );
  });
});
