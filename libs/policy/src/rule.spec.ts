import { describe, expect, it } from 'vitest';
import { compileRule, RuleError, validateRule } from './rule.js';

const deployment = (replicas: number, labels?: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', ...(labels && { labels }) },
  spec: { replicas },
});

describe('validateRule', () => {
  it('accepts valid expressions, including macros and string extensions', () => {
    for (const expression of [
      "object.kind != 'Deployment' || object.spec.replicas <= 5",
      "has(object.metadata.labels) && 'team' in object.metadata.labels",
      "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))",
      "object.metadata.name.lowerAscii().startsWith('web')",
      'type(object.spec) == map',
    ])
      expect(validateRule(expression)).toEqual({ valid: true });
  });

  it('explains syntax errors, unknown variables and unknown functions', () => {
    expect(validateRule('object.kind ==')).toMatchObject({
      valid: false,
      error: expect.stringMatching(/^syntax error/),
    });
    expect(validateRule("obj.kind == 'x'")).toEqual({
      valid: false,
      error: 'unknown variable obj (the manifest is available as "object")',
    });
    expect(validateRule('frobnicate(object)')).toEqual({
      valid: false,
      error: 'unknown function frobnicate',
    });
    expect(validateRule('  ')).toEqual({ valid: false, error: 'expression is empty' });
    expect(validateRule('x'.repeat(5000))).toMatchObject({
      valid: false,
      error: expect.stringMatching(/longer than/),
    });
  });
});

describe('compileRule', () => {
  it('caps replicas for Deployments only', () => {
    const rule = compileRule({
      expression: "object.kind != 'Deployment' || object.spec.replicas <= 5",
      message: 'm',
    });
    expect(rule.evaluate(deployment(5))).toEqual({ passed: true });
    expect(rule.evaluate(deployment(6))).toEqual({ passed: false });
    expect(rule.evaluate({ kind: 'ConfigMap', metadata: { name: 'c' } })).toEqual({ passed: true });
  });

  it('requires a team label', () => {
    const rule = compileRule({
      expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
      message: 'm',
    });
    expect(rule.evaluate(deployment(1, { team: 'a' }))).toEqual({ passed: true });
    expect(rule.evaluate(deployment(1, { app: 'a' }))).toEqual({ passed: false });
    expect(rule.evaluate(deployment(1))).toEqual({ passed: false });
  });

  it('treats whole JSON numbers as CEL ints', () => {
    const rule = compileRule({ expression: 'object.spec.replicas * 2 == 6', message: 'm' });
    expect(rule.evaluate(deployment(3))).toEqual({ passed: true });
  });

  it('turns evaluation errors and non-boolean results into failures with the reason', () => {
    const missing = compileRule({ expression: 'object.spec.replicas <= 5', message: 'm' });
    expect(missing.evaluate({ kind: 'ConfigMap', metadata: {} })).toEqual({
      passed: false,
      error: expect.stringMatching(/spec/),
    });
    const nonBoolean = compileRule({ expression: 'object.kind', message: 'm' });
    expect(nonBoolean.evaluate(deployment(1))).toEqual({
      passed: false,
      error: 'the expression did not return a boolean',
    });
  });

  it('throws a RuleError for an invalid expression', () => {
    expect(() => compileRule({ expression: 'object.kind ==', message: 'm' })).toThrow(RuleError);
  });
});
