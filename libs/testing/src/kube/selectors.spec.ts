import { describe, expect, it } from 'vitest';
import { StatusError } from './errors.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'frontend', version: '3' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web,tier=frontend', true],
    ['app!=web', false],
    ['app in (web, api)', true],
    ['tier notin (frontend)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['version>2', true],
    ['version<3', false],
    ['app=web,env=prod', false],
  ];
  it.each(cases)('%s matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('rejects malformed selectors with 400', () => {
    for (const bad of ['app in web', 'a=b=c', '=x', 'app=-bad-']) {
      expect(() => parseLabelSelector(bad), bad).toThrow(StatusError);
    }
  });
});

describe('field selectors', () => {
  const obj = { metadata: { name: 'a', namespace: 'ns' }, type: 'Opaque' };
  it('matches metadata fields and kind-specific ones', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=a', '', 'configmaps'), obj)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.name!=a', '', 'configmaps'), obj)).toBe(false);
    expect(matchesFields(parseFieldSelector('metadata.namespace==ns,type=Opaque', '', 'secrets'), obj)).toBe(
      true,
    );
  });
  it('rejects fields the kind does not support', () => {
    expect(() => parseFieldSelector('spec.foo=1', 'apps', 'deployments')).toThrow(
      'field label not supported: spec.foo',
    );
    expect(() => parseFieldSelector('type=Opaque', '', 'configmaps')).toThrow(StatusError);
  });
});
