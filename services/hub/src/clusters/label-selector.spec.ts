import { matchesSelector } from '@flotilla/policy';
import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from './label-selector.js';

describe('parseLabelSelector', () => {
  it('parses equality, set and existence terms', () => {
    expect(parseLabelSelector('env=prod,tier in (a, b),region,!legacy,zone!=x,os notin (win)')).toEqual({
      matchLabels: { env: 'prod' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'region', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['x'] },
        { key: 'os', operator: 'NotIn', values: ['win'] },
      ],
    });
    expect(parseLabelSelector('env==prod').matchLabels).toEqual({ env: 'prod' });
    expect(parseLabelSelector('')).toEqual({ matchLabels: {}, matchExpressions: [] });
  });

  it('selects the way Kubernetes does', () => {
    const selector = parseLabelSelector('env=prod,tier in (a,b),!legacy');
    expect(matchesSelector({ env: 'prod', tier: 'a' }, selector)).toBe(true);
    expect(matchesSelector({ env: 'prod', tier: 'c' }, selector)).toBe(false);
    expect(matchesSelector({ env: 'prod', tier: 'a', legacy: 'y' }, selector)).toBe(false);
  });

  it.each(['env=prod,', 'tier in (a', 'a b c', 'env=prod,env=dev', 'bad key!=x=y', 'Env Key=x', 'k=v!'])(
    'refuses %j',
    (text) => {
      expect(() => parseLabelSelector(text)).toThrow();
    },
  );
});
