import { describe, expect, it } from 'vitest';
import { api } from './request.js';

describe('api paths', () => {
  it('prefixes /api/v1 and percent-encodes every interpolated value', () => {
    expect(api`/tenants/${'team-a'}/bindings/${'web'}`).toBe('/api/v1/tenants/team-a/bindings/web');
    expect(api`/users/${'../tokens'}`).toBe('/api/v1/users/..%2Ftokens');
    expect(api`/roles/${'a b?x=1'}`).toBe('/api/v1/roles/a%20b%3Fx%3D1');
  });
});
