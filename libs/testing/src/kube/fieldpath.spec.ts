import { describe, expect, it } from 'vitest';
import { FieldSet, formatPath, keyPE } from './fieldpath.js';

describe('field sets', () => {
  const fieldsV1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
  };

  it('reads and writes fieldsV1', () => {
    const set = FieldSet.fromFieldsV1(fieldsV1);
    expect(set.has(['f:metadata', 'f:labels'])).toBe(true);
    expect(set.has(['f:metadata'])).toBe(false);
    expect(set.has(['f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image'])).toBe(true);
    expect(set.toFieldsV1()).toEqual(fieldsV1);
  });

  it('computes union, difference and intersection', () => {
    const a = FieldSet.fromPaths([
      ['f:data', 'f:a'],
      ['f:data', 'f:b'],
    ]);
    const b = FieldSet.fromPaths([
      ['f:data', 'f:b'],
      ['f:data', 'f:c'],
    ]);
    expect(a.union(b).paths()).toEqual([
      ['f:data', 'f:a'],
      ['f:data', 'f:b'],
      ['f:data', 'f:c'],
    ]);
    expect(a.difference(b).paths()).toEqual([['f:data', 'f:a']]);
    expect(a.intersection(b).paths()).toEqual([['f:data', 'f:b']]);
    expect(a.difference(a).isEmpty()).toBe(true);
    expect(
      a.equals(
        FieldSet.fromPaths([
          ['f:data', 'f:b'],
          ['f:data', 'f:a'],
        ]),
      ),
    ).toBe(true);
  });

  it('marks named fields with children as members', () => {
    const set = FieldSet.fromPaths([['f:spec', 'f:template', 'f:image']]).withNamedFieldsAsMembers();
    expect(set.has(['f:spec'])).toBe(true);
    expect(set.has(['f:spec', 'f:template'])).toBe(true);
  });

  it('prints paths as Kubernetes does in conflict messages', () => {
    const item = keyPE({ protocol: 'TCP', containerPort: 80, name: 'http' }, ['containerPort', 'protocol']);
    expect(item).toBe('k:{"containerPort":80,"protocol":"TCP"}');
    expect(formatPath(['f:spec', 'f:containers', 'k:{"name":"app"}', 'f:ports', item, 'f:name'])).toBe(
      '.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"].name',
    );
    expect(formatPath(['f:metadata', 'f:finalizers', 'v:"x"'])).toBe('.metadata.finalizers[="x"]');
  });
});
