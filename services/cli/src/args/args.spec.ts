import { describe, expect, it } from 'vitest';
import { ExitCode } from '../errors.js';
import { parseLabelChanges, parseLabels } from './labels.js';
import { parseDuration, parseList, parsePositiveInt, parseSince } from './values.js';

const usage = expect.objectContaining({ exitCode: ExitCode.usage });

describe('labels', () => {
  it('reads key=value lists, values may contain =', () => {
    expect(parseLabels('env=prod, tier=web,url=a=b')).toEqual({ env: 'prod', tier: 'web', url: 'a=b' });
    expect(parseLabels('')).toEqual({});
  });

  it('refuses pairs without a key or =, and duplicates, as usage errors', () => {
    expect(() => parseLabels('env')).toThrow(usage);
    expect(() => parseLabels('=prod')).toThrow(/not key=value/);
    expect(() => parseLabels('a=1,a=2')).toThrow(/given twice/);
  });

  it('splits label edits into sets and removals like kubectl label', () => {
    expect(parseLabelChanges(['env=prod', 'legacy-', 'zone=a'])).toEqual({
      set: { env: 'prod', zone: 'a' },
      remove: ['legacy'],
    });
    expect(() => parseLabelChanges([])).toThrow(usage);
  });
});

describe('values', () => {
  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('5 minutes')).toThrow(usage);
  });

  it('parses positive integers and lists', () => {
    expect(parsePositiveInt('20')).toBe(20);
    expect(() => parsePositiveInt('0')).toThrow(usage);
    expect(() => parsePositiveInt('1.5')).toThrow(usage);
    expect(parseList('a, b,,c')).toEqual(['a', 'b', 'c']);
  });

  it('reads --since as a duration ago or a timestamp', () => {
    const now = Date.parse('2026-01-31T12:00:00Z');
    expect(parseSince('1h', now)).toBe('2026-01-31T11:00:00.000Z');
    expect(parseSince('2026-01-01T00:00:00Z', now)).toBe('2026-01-01T00:00:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow(usage);
  });
});
