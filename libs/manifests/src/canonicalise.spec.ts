import { describe, expect, it } from 'vitest';
import { canonicalJson, jsonProblem } from './canonicalise.js';

describe('canonicalJson', () => {
  it('sorts keys recursively, drops undefined properties, escapes strings like JSON', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 'é"' }], a: null, c: undefined })).toBe(
      '{"a":null,"b":[{"a":"é\\"","z":1}]}',
    );
  });

  it('refuses values JSON cannot carry, naming where', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(/at a\[1\]: NaN is not a JSON number/);
    expect(jsonProblem({ a: { b: new Date(0) } })).toBe('at a.b: Date is not a JSON value');
    expect(jsonProblem({ a: 1n })).toBe('at a: bigint is not a JSON value');
  });
});
