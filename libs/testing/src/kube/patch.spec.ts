import { describe, expect, it } from 'vitest';
import { StatusError } from './errors.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { builtinSchemas } from './schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests dig into untyped JSON
type Any = any;

const deploySchema = builtinSchemas['apps/Deployment'];

describe('JSON merge patch', () => {
  it('merges maps, replaces lists and removes nulls', () => {
    expect(applyMergePatch({ a: 1, b: { c: 1, d: 2 }, l: [1, 2] }, { b: { d: null, e: 3 }, l: [3] })).toEqual(
      { a: 1, b: { c: 1, e: 3 }, l: [3] },
    );
  });
});

describe('JSON patch', () => {
  const doc = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3] } };

  it('applies add, remove, replace, move, copy and test', () => {
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/metadata/labels/a', value: '1' },
      { op: 'add', path: '/metadata/labels/b~1c', value: '2' },
      { op: 'replace', path: '/spec/list/0', value: 9 },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'copy', from: '/metadata/labels/a', path: '/spec/copied' },
      { op: 'move', from: '/spec/copied', path: '/spec/moved' },
    ]);
    expect(out).toEqual({
      metadata: { labels: { a: '1', 'b/c': '2' } },
      spec: { list: [9, 3, 4], moved: '1' },
    });
    expect(doc.spec.list).toEqual([1, 2, 3]);
  });

  it('fails with 422 when a test fails or a path is missing', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/labels/a', value: 'x' }])).toThrow(
      StatusError,
    );
    try {
      applyJsonPatch(doc, [{ op: 'remove', path: '/spec/nothing' }]);
    } catch (e) {
      expect((e as StatusError).code).toBe(422);
    }
  });
});

describe('strategic merge patch', () => {
  const live = {
    metadata: { finalizers: ['a'] },
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }] },
            { name: 'sidecar', image: 'busybox' },
          ],
        },
      },
    },
  };

  it('merges containers by name and env by name', () => {
    const out = applyStrategicMergePatch(
      live,
      {
        spec: {
          template: {
            spec: { containers: [{ name: 'app', image: 'nginx:2', env: [{ name: 'B', value: '2' }] }] },
          },
        },
      },
      deploySchema,
    ) as Any;
    expect(out.spec.template.spec.containers).toEqual([
      {
        name: 'app',
        image: 'nginx:2',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'sidecar', image: 'busybox' },
    ]);
  });

  it('honours $patch: delete, $setElementOrder and $retainKeys', () => {
    const out = applyStrategicMergePatch(
      live,
      {
        spec: {
          template: {
            spec: {
              $setElementOrder: undefined,
              '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
              containers: [
                { name: 'sidecar', $patch: 'delete' },
                { name: 'new', image: 'x' },
              ],
            },
          },
        },
      },
      deploySchema,
    ) as Any;
    expect(out.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'new']);
    const retained = applyStrategicMergePatch(
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
      { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
      undefined,
    );
    expect(retained).toEqual({ strategy: { type: 'Recreate' } });
  });

  it('unions merge-strategy primitive lists and deletes from them', () => {
    expect(
      (applyStrategicMergePatch(live, { metadata: { finalizers: ['b'] } }, deploySchema) as Any).metadata
        .finalizers,
    ).toEqual(['a', 'b']);
    expect(
      (
        applyStrategicMergePatch(
          live,
          { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
          deploySchema,
        ) as Any
      ).metadata.finalizers,
    ).toEqual([]);
  });

  it('replaces lists without a merge key and whole maps with $patch: replace', () => {
    expect(applyStrategicMergePatch({ args: ['a', 'b'] }, { args: ['c'] }, undefined)).toEqual({
      args: ['c'],
    });
    expect(
      applyStrategicMergePatch({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } }, undefined),
    ).toEqual({ m: { c: 3 } });
  });
});
