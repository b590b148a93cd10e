import { describe, expect, it } from 'vitest';
import { recordUpdate, sameIgnoringManagedFieldTimes, serverSideApply } from './apply.js';
import { StatusError } from './errors.js';
import { builtinSchemas, defaultObjectSchema } from './schema.js';
import { KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests dig into untyped JSON
type Any = any;

const cmCtx = { schema: defaultObjectSchema, apiVersion: 'v1', statusSubresource: false };
const deployCtx = {
  schema: builtinSchemas['apps/Deployment'],
  apiVersion: 'apps/v1',
  statusSubresource: true,
};

const cm = (data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'default', ...(labels ? { labels } : {}) },
  data,
});

const deploy = (containers: unknown[], extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    ...extra,
  },
});

const apply = (
  live: KubeObject | undefined,
  config: KubeObject,
  manager = 'flotilla',
  force = false,
  ctx = cmCtx,
) => serverSideApply(live, config, { ...ctx, manager, force });

function managers(obj: KubeObject) {
  return Object.fromEntries(
    (obj.metadata?.managedFields ?? []).map((m) => [`${m.manager}/${m.operation}`, m.fieldsV1]),
  );
}

describe('server-side apply', () => {
  it('records the applied fields in fieldsV1, without the fields the server owns', () => {
    const obj = apply(undefined, cm({ a: '1', b: '2' }, { app: 'x' }));
    expect(obj.data).toEqual({ a: '1', b: '2' });
    expect(managers(obj)).toEqual({
      'flotilla/Apply': { 'f:data': { 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
    });
  });

  it('removes a field the applier no longer sets', () => {
    const first = apply(undefined, cm({ a: '1', b: '2' }, { app: 'x', tier: 'web' }));
    const second = apply(first, cm({ a: '1' }, { app: 'x' }));
    expect(second.data).toEqual({ a: '1' });
    expect(second.metadata?.labels).toEqual({ app: 'x' });
    expect(managers(second)['flotilla/Apply']).toEqual({
      'f:data': { 'f:a': {} },
      'f:metadata': { 'f:labels': { 'f:app': {} } },
    });
  });

  it('keeps a dropped field that another manager also owns', () => {
    const first = apply(undefined, cm({ a: '1', b: '2' }));
    const shared = apply(first, cm({ b: '2' }), 'other');
    const dropped = apply(shared, cm({ a: '1' }));
    expect(dropped.data).toEqual({ a: '1', b: '2' });
    expect(managers(dropped)['other/Apply']).toEqual({ 'f:data': { 'f:b': {} } });
  });

  it('reports a conflict when another manager owns a field with a different value', () => {
    const first = apply(undefined, cm({ a: '1' }));
    let error: StatusError | undefined;
    try {
      apply(first, cm({ a: '2' }), 'other');
    } catch (e) {
      error = e as StatusError;
    }
    expect(error?.code).toBe(409);
    expect(error?.message).toBe('Apply failed with 1 conflict: conflict with "flotilla": .data.a');
    expect(error?.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "flotilla"', field: '.data.a' },
    ]);
  });

  it('moves ownership when forced', () => {
    const first = apply(undefined, cm({ a: '1', b: '1' }));
    const forced = apply(first, cm({ a: '2' }), 'other', true);
    expect(forced.data).toEqual({ a: '2', b: '1' });
    expect(managers(forced)).toEqual({
      'flotilla/Apply': { 'f:data': { 'f:b': {} } },
      'other/Apply': { 'f:data': { 'f:a': {} } },
    });
  });

  it('lets an update take fields from the applier, which then does not remove them', () => {
    const first = apply(undefined, cm({ a: '1', b: '1' }));
    const edited = recordUpdate(
      first,
      { ...first, data: { a: '9', b: '1' } },
      { ...cmCtx, manager: 'kubectl-edit' },
    );
    expect(managers(edited)).toEqual({
      'flotilla/Apply': { 'f:data': { 'f:b': {} } },
      'kubectl-edit/Update': { 'f:data': { 'f:a': {} } },
    });
    const reapplied = apply(edited, cm({ b: '1' }));
    expect(reapplied.data).toEqual({ a: '9', b: '1' });
  });

  it('merges associative lists by key and removes dropped list items and nested fields', () => {
    const first = apply(
      undefined,
      deploy([
        { name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }] },
        { name: 'sidecar', image: 'busybox' },
      ]),
      'flotilla',
      false,
      deployCtx,
    );
    const containersFields = (managers(first)['flotilla/Apply'] as Any)['f:spec']['f:template']['f:spec'][
      'f:containers'
    ];
    expect(Object.keys(containersFields)).toEqual(['k:{"name":"app"}', 'k:{"name":"sidecar"}']);
    expect(containersFields['k:{"name":"app"}']['.']).toEqual({});
    const second = apply(first, deploy([{ name: 'app', image: 'nginx:2' }]), 'flotilla', false, deployCtx);
    expect((second.spec as Any).template.spec.containers).toEqual([{ name: 'app', image: 'nginx:2' }]);
  });

  it("keeps another manager's field inside a list item the applier dropped", () => {
    const first = apply(undefined, deploy([{ name: 'app', image: 'nginx:1' }]), 'flotilla', false, deployCtx);
    const injected = recordUpdate(
      first,
      {
        ...first,
        spec: {
          ...(first.spec as object),
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'app', image: 'nginx:1', resources: { limits: { cpu: '1' } } }] },
          },
        },
      },
      { ...deployCtx, manager: 'vpa' },
    );
    const dropped = apply(injected, deploy([]), 'flotilla', false, deployCtx);
    expect((dropped.spec as Any).template.spec.containers).toEqual([
      { name: 'app', resources: { limits: { cpu: '1' } } },
    ]);
  });

  it('treats atomic label selectors as one field', () => {
    const obj = apply(undefined, deploy([{ name: 'app', image: 'x' }]), 'flotilla', false, deployCtx);
    expect((managers(obj)['flotilla/Apply'] as Any)['f:spec']['f:selector']).toEqual({});
  });

  it('ignores status on the main endpoint of kinds with a status subresource', () => {
    const obj = apply(
      undefined,
      { ...deploy([{ name: 'app', image: 'x' }]), status: { replicas: 5 } },
      'flotilla',
      false,
      deployCtx,
    );
    expect(obj.status).toBeUndefined();
    expect(JSON.stringify(managers(obj))).not.toContain('status');
  });

  it('applies to the status subresource without touching spec', () => {
    const live = apply(undefined, deploy([{ name: 'app', image: 'x' }]), 'flotilla', false, deployCtx);
    const obj = serverSideApply(
      live,
      { ...deploy([{ name: 'ignored', image: 'y' }]), status: { replicas: 2 } },
      { ...deployCtx, subresource: 'status', manager: 'ctrl', force: false },
    );
    expect(obj.status).toEqual({ replicas: 2 });
    expect((obj.spec as Any).template.spec.containers).toEqual([{ name: 'app', image: 'x' }]);
    const entry = obj.metadata?.managedFields?.find((m) => m.manager === 'ctrl');
    expect(entry).toMatchObject({ subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } });
  });

  it('makes a re-apply of the same configuration a no-op', () => {
    const first = apply(undefined, cm({ a: '1' }));
    const again = apply(first, cm({ a: '1' }));
    expect(sameIgnoringManagedFieldTimes(first, again)).toBe(true);
  });

  it('tracks set lists (finalizers) by value', () => {
    const first = apply(undefined, { ...cm({}), metadata: { name: 'cfg', finalizers: ['a/x', 'b/y'] } });
    expect((managers(first)['flotilla/Apply'] as Any)['f:metadata']['f:finalizers']).toEqual({
      'v:"a/x"': {},
      'v:"b/y"': {},
    });
    const second = apply(first, { ...cm({}), metadata: { name: 'cfg', finalizers: ['a/x'] } });
    expect(second.metadata?.finalizers).toEqual(['a/x']);
  });
});

describe('update ownership', () => {
  it('gives the creator every field, with "." on maps it added', () => {
    const obj = recordUpdate(undefined, cm({ a: '1' }, { l: 'v' }), { ...cmCtx, manager: 'kubectl-create' });
    expect(managers(obj)).toEqual({
      'kubectl-create/Update': {
        'f:data': { '.': {}, 'f:a': {} },
        'f:metadata': { 'f:labels': { '.': {}, 'f:l': {} } },
      },
    });
  });

  it('drops managers whose fields were all removed', () => {
    const first = recordUpdate(undefined, cm({ a: '1' }), { ...cmCtx, manager: 'one' });
    const second = recordUpdate(first, { ...first, data: undefined }, { ...cmCtx, manager: 'two' });
    expect(second.metadata?.managedFields).toEqual([]);
  });
});
