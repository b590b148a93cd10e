import { describe, expect, it } from 'vitest';
import { matchesSelector, selectorSchema, type SelectorRequirement } from './selector.js';

describe('matchesSelector', () => {
  const labels = { env: 'prod', region: 'eu' };

  it('matches everything with an empty selector', () => {
    expect(matchesSelector(labels, {})).toBe(true);
    expect(matchesSelector(undefined, {})).toBe(true);
  });

  it('requires every matchLabels entry', () => {
    expect(matchesSelector(labels, { matchLabels: { env: 'prod' } })).toBe(true);
    expect(matchesSelector(labels, { matchLabels: { env: 'prod', region: 'us' } })).toBe(false);
    expect(matchesSelector(undefined, { matchLabels: { env: 'prod' } })).toBe(false);
  });

  it.each<[SelectorRequirement, boolean]>([
    [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }, true],
    [{ key: 'env', operator: 'In', values: ['dev'] }, false],
    [{ key: 'tier', operator: 'In', values: ['x'] }, false],
    [{ key: 'env', operator: 'NotIn', values: ['dev'] }, true],
    [{ key: 'env', operator: 'NotIn', values: ['prod'] }, false],
    [{ key: 'tier', operator: 'NotIn', values: ['x'] }, true],
    [{ key: 'region', operator: 'Exists' }, true],
    [{ key: 'tier', operator: 'Exists' }, false],
    [{ key: 'tier', operator: 'DoesNotExist' }, true],
    [{ key: 'env', operator: 'DoesNotExist' }, false],
  ])('evaluates %j as %s', (requirement, expected) => {
    expect(matchesSelector(labels, { matchExpressions: [requirement] })).toBe(expected);
  });

  it('ANDs matchLabels and expressions', () => {
    const selector = {
      matchLabels: { env: 'prod' },
      matchExpressions: [{ key: 'region', operator: 'In' as const, values: ['us'] }],
    };
    expect(matchesSelector(labels, selector)).toBe(false);
  });
});

describe('selectorSchema', () => {
  const issue = (value: unknown) => {
    const result = selectorSchema.safeParse(value);
    expect(result.success).toBe(false);
    const first = result.error!.issues[0]!;
    return `${first.path.join('.')}: ${first.message}`;
  };

  it('accepts a well-formed selector', () => {
    const selector = {
      matchLabels: { env: 'prod' },
      matchExpressions: [{ key: 'tier', operator: 'Exists' }],
    };
    expect(selectorSchema.parse(selector)).toEqual(selector);
  });

  it('names the bad field', () => {
    expect(issue({ matchExpressions: [{ key: 'env', operator: 'In' }] })).toBe(
      'matchExpressions.0.values: operator In needs at least one value',
    );
    expect(issue({ matchExpressions: [{ key: 'env', operator: 'Exists', values: ['a'] }] })).toBe(
      'matchExpressions.0.values: operator Exists takes no values',
    );
    expect(issue({ matchExpressions: [{ key: 'env', operator: 'Like', values: ['a'] }] })).toMatch(
      /^matchExpressions\.0\.operator: /,
    );
    expect(issue({ matchLabels: { env: 'not valid' } })).toMatch(
      /^matchLabels\.env: value "not valid" is not a label value/,
    );
    expect(issue({ matchLabels: { '-bad': 'x' } })).toMatch(/^matchLabels\.-bad: key "-bad"/);
    expect(issue({ matchLabel: { env: 'prod' } })).toMatch(/matchLabel/);
  });
});
