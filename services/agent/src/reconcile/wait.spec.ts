import { describe, expect, it } from 'vitest';
import { isEstablished } from './wait.js';

const crd = (conditions?: object[]) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  ...(conditions && { status: { conditions } }),
});

describe('isEstablished', () => {
  it('needs the Established condition to be True', () => {
    expect(isEstablished(crd())).toBe(false);
    expect(isEstablished(crd([{ type: 'NamesAccepted', status: 'True' }]))).toBe(false);
    expect(isEstablished(crd([{ type: 'Established', status: 'False' }]))).toBe(false);
    expect(isEstablished(crd([{ type: 'Established', status: 'True' }]))).toBe(true);
  });
});
