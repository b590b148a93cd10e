import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** A guardrail: `expression` must evaluate to true for every object; `message` says why not. */
export interface Rule {
  expression: string;
  message: string;
}

export type RuleOutcome = { passed: true } | { passed: false; error?: string };

export interface CompiledRule extends Rule {
  evaluate(object: unknown): RuleOutcome;
}

export type RuleValidation = { valid: true } | { valid: false; error: string };

export const MAX_EXPRESSION_LENGTH = 4096;

// Immutable: the standard library plus the string extensions (lowerAscii, split, …).
const ENV = celEnv({ funcs: strings });
const VARIABLE = 'object';
type Expr = ReturnType<typeof parse>['expr'];

// Operators the planner implements itself rather than through the function registry.
const PLANNER_OPERATORS = new Set([
  '_&&_',
  '_||_',
  '_?_:_',
  '_[_]',
  '_[?_]',
  '_?._',
  '@not_strictly_false',
  '__not_strictly_false__',
]);
const TYPE_NAMES = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
]);

/**
 * Checks an expression before it is stored: syntax, and that it uses only the variable
 * `object` and known functions. (@bufbuild/cel reports unknown names only when evaluated,
 * which would turn a typo into a rule that fails for every object.)
 */
export function validateRule(expression: string): RuleValidation {
  if (expression.trim() === '') return { valid: false, error: 'expression is empty' };
  if (expression.length > MAX_EXPRESSION_LENGTH)
    return { valid: false, error: `expression is longer than ${MAX_EXPRESSION_LENGTH} characters` };
  let root: Expr;
  try {
    root = parse(expression).expr;
  } catch (error) {
    return { valid: false, error: `syntax error: ${(error as Error).message}` };
  }
  const names = { identifiers: new Set<string>(), functions: new Set<string>(), bound: new Set<string>() };
  collectNames(root, names);
  const unknownVariables = [...names.identifiers].filter(
    (name) => name !== VARIABLE && !names.bound.has(name) && !TYPE_NAMES.has(name),
  );
  if (unknownVariables.length > 0)
    return {
      valid: false,
      error: `unknown variable ${unknownVariables.join(', ')} (the manifest is available as "${VARIABLE}")`,
    };
  const unknownFunctions = [...names.functions].filter(
    (name) => !PLANNER_OPERATORS.has(name) && ENV.funcs.find(name) === undefined,
  );
  if (unknownFunctions.length > 0)
    return { valid: false, error: `unknown function ${unknownFunctions.join(', ')}` };
  return { valid: true };
}

/** Compiles a rule once for evaluation against many objects; throws if it is invalid. */
export function compileRule(rule: Rule): CompiledRule {
  const validation = validateRule(rule.expression);
  if (!validation.valid) throw new RuleError(rule.expression, validation.error);
  const program = plan(ENV, parse(rule.expression));
  return {
    ...rule,
    evaluate(object) {
      const result = program({ [VARIABLE]: toCelInput(object) });
      if (isCelError(result)) return { passed: false, error: result.message };
      if (typeof result !== 'boolean')
        return { passed: false, error: 'the expression did not return a boolean' };
      return { passed: result };
    },
  };
}

export class RuleError extends Error {
  override readonly name = 'RuleError';

  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`invalid CEL rule ${JSON.stringify(expression)}: ${reason}`);
  }
}

function collectNames(
  expr: Expr | undefined,
  names: { identifiers: Set<string>; functions: Set<string>; bound: Set<string> },
): void {
  if (!expr) return;
  const walk = (child: Expr | undefined) => collectNames(child, names);
  const { exprKind } = expr;
  switch (exprKind.case) {
    case 'identExpr':
      names.identifiers.add(exprKind.value.name);
      return;
    case 'selectExpr':
      return walk(exprKind.value.operand);
    case 'callExpr':
      names.functions.add(exprKind.value.function);
      walk(exprKind.value.target);
      return exprKind.value.args.forEach(walk);
    case 'listExpr':
      return exprKind.value.elements.forEach(walk);
    case 'structExpr':
      // A message literal (`Foo{…}`) names a protobuf type, which this environment has none of.
      if (exprKind.value.messageName !== '') names.identifiers.add(exprKind.value.messageName);
      for (const entry of exprKind.value.entries) {
        if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value);
        walk(entry.value);
      }
      return;
    case 'comprehensionExpr': {
      const { iterVar, iterVar2, accuVar, iterRange, accuInit, loopCondition, loopStep, result } =
        exprKind.value;
      for (const name of [iterVar, iterVar2, accuVar]) if (name) names.bound.add(name);
      return [iterRange, accuInit, loopCondition, loopStep, result].forEach(walk);
    }
    default:
      return;
  }
}

/**
 * JSON numbers that are whole become CEL ints (as in Kubernetes' own CEL), so that
 * `object.spec.replicas + 1` type-checks; other values map as they are.
 */
function toCelInput(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelInput);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, toCelInput(item)]),
    ) as CelInput;
  return value as CelInput;
}
