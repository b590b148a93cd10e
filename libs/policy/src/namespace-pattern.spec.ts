import { describe, expect, it } from 'vitest';
import { matchesNamespacePattern, namespacePatternProblem } from './namespace-pattern.js';

describe('namespace patterns', () => {
  it.each([
    ['team-a-*', 'team-a-prod', true],
    ['team-a-*', 'team-a-', true],
    ['team-a-*', 'team-b-prod', false],
    ['team-a-*', 'x-team-a-prod', false],
    ['team-a', 'team-a', true],
    ['team-a', 'team-ab', false],
    ['*-dev', 'web-dev', true],
    ['*', 'kube-system', true],
  ])('%s matches %s: %s', (pattern, namespace, expected) => {
    expect(matchesNamespacePattern(namespace, pattern)).toBe(expected);
  });

  it('refuses patterns with other characters, and never matches with them', () => {
    expect(namespacePatternProblem('team.a*')).toMatch(
      /only lower-case letters, digits, '-' and the wildcard/,
    );
    expect(namespacePatternProblem('.*')).toBeDefined();
    expect(namespacePatternProblem('')).toMatch(/1 to 63/);
    expect(namespacePatternProblem('a'.repeat(64))).toMatch(/1 to 63/);
    expect(namespacePatternProblem('team-a-*')).toBeUndefined();
    expect(matchesNamespacePattern('anything', '.*')).toBe(false);
  });
});
