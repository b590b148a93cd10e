import { REDACTED, type KubeObject } from '@flotilla/manifests';
import { describe, expect, it } from 'vitest';
import { driftBetween } from './diff.js';

const cm = (data: Record<string, string>, metadata: object = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'n', ...metadata },
  data,
});

describe('driftBetween', () => {
  it('is empty when only server-written metadata differs', () => {
    const merged = cm(
      { a: '1' },
      { resourceVersion: '9', generation: 3, managedFields: [{ manager: 'flotilla' }] },
    );
    const live = cm({ a: '1' }, { resourceVersion: '8', generation: 2, managedFields: [] });
    expect(driftBetween(merged, live)).toEqual([]);
  });

  it('reports changed fields and fields the merge would remove', () => {
    expect(driftBetween(cm({ a: '1' }), cm({ a: '2', extra: 'x' }))).toEqual([
      { path: 'data.a', desired: '1', live: '2' },
      { path: 'data.extra', desired: undefined, live: 'x' },
    ]);
  });

  it('never shows Secret values', () => {
    const secret = (data: Record<string, string>): KubeObject => ({ ...cm(data), kind: 'Secret' });
    const drift = driftBetween(secret({ password: 'c2VjcmV0' }), secret({ password: 'b2xk', token: 'dG9r' }));
    expect(drift).toEqual([
      { path: 'data.password', desired: REDACTED, live: REDACTED },
      { path: 'data.token', desired: undefined, live: REDACTED },
    ]);
    expect(JSON.stringify(drift)).not.toMatch(/c2VjcmV0|b2xk|dG9r/);
  });
});
