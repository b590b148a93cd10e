import { describe, expect, it } from 'vitest';
import { ManifestError } from './errors.js';
import { parseManifests } from './parse.js';

const configMap = (name: string, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}data:\n  a: "1"\n`;

function parseError(files: Array<{ path: string; content: string }>, limits = {}): ManifestError {
  try {
    parseManifests(files, limits);
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error('expected a ManifestError');
}

describe('parseManifests', () => {
  it('reads multi-document YAML with source locations and skips empty documents', () => {
    const content = `${configMap('one')}---\n---\n# only a comment\n---\n${configMap('two')}`;
    const { objects } = parseManifests([{ path: 'app/cm.yaml', content }]);
    expect(objects.map((o) => o.object.metadata.name)).toEqual(['one', 'two']);
    expect(objects[0]!.source).toEqual({ path: 'app/cm.yaml', documentIndex: 0, line: 1 });
    expect(objects[1]!.source).toMatchObject({ documentIndex: 3, line: 11 });
  });

  it('reads JSON files, even with a byte-order mark', () => {
    const content =
      '\uFEFF' + JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } });
    const { objects } = parseManifests([{ path: 'deploy.json', content }]);
    expect(objects[0]!.object.kind).toBe('Deployment');
    expect(objects[0]!.source).toEqual({ path: 'deploy.json', documentIndex: 0, line: 1 });
  });

  it('flattens kind: List with the line of each item', () => {
    const content = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata: { name: a }',
      '  - apiVersion: v1',
      '    kind: Secret',
      '    metadata: { name: b }',
    ].join('\n');
    const { objects } = parseManifests([{ path: 'list.yaml', content }]);
    expect(objects.map((o) => [o.object.kind, o.source.itemIndex, o.source.line])).toEqual([
      ['ConfigMap', 0, 4],
      ['Secret', 1, 7],
    ]);
  });

  it('returns no objects for an empty file', () => {
    expect(parseManifests([{ path: 'empty.yaml', content: '' }]).objects).toEqual([]);
  });

  it('names file, document and line for invalid YAML', () => {
    const error = parseError([{ path: 'bad.yaml', content: `${configMap('ok')}---\nkey: [unclosed\n` }]);
    expect(error.location).toMatchObject({ path: 'bad.yaml', documentIndex: 1 });
    expect(error.message).toMatch(/^bad\.yaml, document 1, line \d+: invalid YAML/);
  });

  it('names the file for invalid JSON', () => {
    expect(parseError([{ path: 'x.json', content: '{"apiVersion": ' }]).message).toMatch(
      /x\.json.*invalid JSON/,
    );
  });

  it.each([
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', 'metadata.name', /non-empty string/],
    ['kind: ConfigMap\nmetadata: { name: a }\n', 'apiVersion', /non-empty string/],
    ['apiVersion: apps/V1\nkind: Deployment\nmetadata: { name: a }\n', 'apiVersion', /invalid version "V1"/],
    ['apiVersion: v1\nmetadata: { name: a }\n', 'kind', /alphanumeric/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: { name: Bad_Name }\n', 'metadata.name', /DNS subdomain/],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: "a.b" }\n',
      'metadata.namespace',
      /DNS label/,
    ],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, labels: { "-x": y } }\n',
      'metadata.labels',
      /qualified/,
    ],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, labels: { x: 5 } }\n',
      'metadata.labels.x',
      /string/,
    ],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, labels: { x: "a b" } }\n',
      'metadata.labels.x',
      /label/,
    ],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, annotations: { x: 1 } }\n',
      'metadata.annotations.x',
      /string/,
    ],
    ['- just\n- a list\n', undefined, /a list/],
    ['apiVersion: v1\nkind: List\nitems: 3\n', 'items', /items list/],
  ])('rejects %j naming the field', (content, field, reason) => {
    const error = parseError([{ path: 'm.yaml', content }]);
    expect(error.location.field).toBe(field);
    expect(error.reason).toMatch(reason);
  });

  it('accepts custom versions and labels left empty (null)', () => {
    const content = 'apiVersion: example.com/v2-preview\nkind: Widget\nmetadata:\n  name: w\n  labels:\n';
    expect(parseManifests([{ path: 'w.yaml', content }]).objects[0]!.object.metadata.labels).toBeNull();
  });

  it('accepts RBAC names with colons', () => {
    const content =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: "system:viewer" }\n';
    expect(parseManifests([{ path: 'r.yaml', content }]).objects).toHaveLength(1);
  });

  it('refuses duplicate objects across files, naming both places', () => {
    const error = parseError([
      { path: 'a.yaml', content: configMap('same') },
      { path: 'b.yaml', content: configMap('same') },
    ]);
    expect(error.location.path).toBe('b.yaml');
    expect(error.reason).toBe('duplicate object /ConfigMap//same (first defined in a.yaml, document 0)');
  });

  it('enforces the object count and size limits', () => {
    const content = [configMap('a'), configMap('b'), configMap('c')].join('---\n');
    expect(parseError([{ path: 'm.yaml', content }], { maxObjects: 2 }).reason).toMatch(/limit of 2 objects/);
    expect(parseError([{ path: 'm.yaml', content }], { maxTotalBytes: 50 }).reason).toMatch(
      /size limit of 50 bytes/,
    );
  });

  it('stops alias expansion bombs', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(10)
          .fill(`*${'abcdefgh'[i - 1]}`)
          .join(', ')}]`,
      );
    const error = parseError([{ path: 'bomb.yaml', content: lines.join('\n') }]);
    expect(error.reason).toMatch(/cannot be expanded/);
  });

  it('refuses values that have no JSON form', () => {
    const content =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\nbinaryData: { x: !!binary aGVsbG8= }\n';
    expect(parseError([{ path: 'm.yaml', content }]).reason).toMatch(
      /binaryData\.x: Buffer is not a JSON value/,
    );
  });

  it('refuses duplicate keys in one mapping', () => {
    const content = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\nmetadata: { name: b }\n';
    expect(parseError([{ path: 'm.yaml', content }]).reason).toMatch(/unique/i);
  });
});
