import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, checkLink, GENESIS_HASH } from './chain.js';

const row = (id: string, prevHash: string, action = 'tenants:create') => {
  const fields = {
    id,
    at: new Date('2026-11-27T10:00:00.123Z'),
    requestId: 'r1',
    actorKind: 'user',
    actorName: 'admin',
    tenantId: null,
    tenantSlug: 'team-a',
    action,
    target: 'tenant/team-a',
    outcome: 'success',
    before: null,
    after: { slug: 'team-a', quotas: { b: 1, a: 2 } },
  };
  return { ...fields, prevHash, hash: chainHash(prevHash, fields) };
};

describe('audit chain', () => {
  it('canonicalises key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });

  it('accepts an intact chain', () => {
    const first = row('1', GENESIS_HASH);
    const second = row('2', first.hash);
    expect(checkLink(null, first)).toBeNull();
    expect(checkLink(first, second)).toBeNull();
  });

  it('detects a modified row, a broken link and a gap', () => {
    const first = row('1', GENESIS_HASH);
    expect(checkLink(null, { ...first, action: 'tenants:delete' })?.reason).toMatch(/modified/);
    expect(checkLink(first, row('2', GENESIS_HASH))?.reason).toMatch(/previous-hash/);
    expect(checkLink(first, row('3', first.hash))?.reason).toMatch(/missing/);
  });
});
