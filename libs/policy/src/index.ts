export {
  selectorSchema,
  selectorRequirementSchema,
  matchesSelector,
  type LabelSelector,
  type SelectorRequirement,
} from './selector.js';
export {
  namespacePatternSchema,
  namespacePatternProblem,
  matchesNamespacePattern,
} from './namespace-pattern.js';
export { kindRefSchema, parseKindRef, type GroupKind, type KindRef } from './kind-ref.js';
export {
  validateRule,
  compileRule,
  RuleError,
  MAX_EXPRESSION_LENGTH,
  type Rule,
  type CompiledRule,
  type RuleOutcome,
  type RuleValidation,
} from './rule.js';
export { grantSchema, ruleSchema, type Grant, type GrantInput } from './grant.js';
export { limitsForCluster, tenantLimitsSchema, type TenantLimits } from './limits.js';
export {
  checkObjects,
  type CheckOptions,
  type Finding,
  type FindingRule,
  type PolicySubject,
  type Verdict,
} from './check.js';
