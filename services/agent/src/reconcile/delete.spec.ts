import type { KubeObject } from '@flotilla/manifests';
import { describe, expect, it } from 'vitest';
import { pruneRefusal } from './delete.js';

const live = (labels?: Record<string, string>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'n', labels, annotations },
});

describe('pruneRefusal', () => {
  it('allows deleting an object this binding owns', () => {
    expect(pruneRefusal(live({ 'flotilla.dev/binding': 'b-1' }), 'b-1')).toBeUndefined();
  });

  it('refuses objects without Flotilla ownership or owned by another binding', () => {
    expect(pruneRefusal(live(), 'b-1')).toBe('not owned by Flotilla');
    expect(pruneRefusal(live({ 'flotilla.dev/binding': 'b-2' }), 'b-1')).toBe(
      'owned by another binding (b-2)',
    );
  });

  it('refuses objects annotated flotilla.dev/prune: disabled', () => {
    const annotated = live({ 'flotilla.dev/binding': 'b-1' }, { 'flotilla.dev/prune': 'disabled' });
    expect(pruneRefusal(annotated, 'b-1')).toContain('pruning disabled');
  });
});
