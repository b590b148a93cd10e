import {
  objectKey,
  scopeResolver,
  splitApiVersion,
  type KubeObject,
  type ObjectSource,
} from '@flotilla/manifests';
import type { TenantLimits } from './limits.js';
import { matchesNamespacePattern } from './namespace-pattern.js';
import { compileRule, RuleError, type CompiledRule } from './rule.js';

/** An object to check; `source` (from parsing) makes findings point at the file. */
export interface PolicySubject {
  object: KubeObject;
  source?: ObjectSource;
}

export type FindingRule = 'no-grant' | 'namespace' | 'cluster-scoped-kind' | 'cel';

export interface Finding {
  /** The object's key, `group/kind/namespace/name`. */
  object: string;
  source?: ObjectSource;
  rule: FindingRule;
  message: string;
  /** For CEL findings: the grant the rule came from. */
  grant?: string;
}

export type Verdict = { passed: true } | { passed: false; findings: Finding[] };

export interface CheckOptions {
  /** Further cluster-scoped kinds (`group/Kind`), e.g. from the cluster's discovery. */
  extraClusterScoped?: Iterable<string>;
}

type CheckedRule = { grant: string; message: string } & (
  { compiled: CompiledRule } | { compileError: string }
);

/**
 * Checks objects against a tenant's limits on one cluster: namespaced objects must be in a
 * namespace matching a pattern; a Namespace must be named by a pattern (or the kind be
 * listed); other cluster-scoped kinds must be listed; every CEL rule must return true.
 * Without limits (no grant covers the cluster) every object is refused.
 */
export function checkObjects(
  subjects: readonly PolicySubject[],
  limits: TenantLimits | undefined,
  options: CheckOptions = {},
): Verdict {
  const findings: Finding[] = [];
  const isClusterScoped = scopeResolver(
    subjects.map((subject) => subject.object),
    options.extraClusterScoped,
  );
  const rules = limits?.rules.map(compileChecked) ?? [];
  for (const { object, source } of subjects) {
    const report = (rule: FindingRule, message: string, grant?: string) =>
      findings.push({
        object: objectKey(object),
        ...(source && { source }),
        rule,
        message,
        ...(grant && { grant }),
      });
    if (!limits) {
      report('no-grant', 'no grant of this tenant covers this cluster');
      continue;
    }
    const placement = placementProblem(object, isClusterScoped(object), limits);
    if (placement) report(placement.rule, placement.message);
    for (const rule of rules) {
      const failure = ruleFailure(rule, object);
      if (failure) report('cel', failure, rule.grant);
    }
  }
  return findings.length === 0 ? { passed: true } : { passed: false, findings };
}

function placementProblem(
  object: KubeObject,
  clusterScoped: boolean,
  limits: TenantLimits,
): { rule: FindingRule; message: string } | undefined {
  const allowedPatterns = limits.namespaces.length > 0 ? limits.namespaces.join(', ') : 'none';
  const inPatterns = (namespace: string) =>
    limits.namespaces.some((pattern) => matchesNamespacePattern(namespace, pattern));
  const { group } = splitApiVersion(object.apiVersion);
  const kindListed = limits.clusterScopedKinds.some(
    (allowed) => allowed.group === group && allowed.kind === object.kind,
  );
  const kindName = group === '' ? object.kind : `${group}/${object.kind}`;

  if (!clusterScoped) {
    const namespace = object.metadata.namespace;
    if (!namespace) return { rule: 'namespace', message: 'namespaced object has no namespace' };
    if (!inPatterns(namespace))
      return {
        rule: 'namespace',
        message: `namespace "${namespace}" is not allowed on this cluster (allowed: ${allowedPatterns})`,
      };
    return undefined;
  }
  if (kindListed) return undefined;
  if (group === '' && object.kind === 'Namespace') {
    if (inPatterns(object.metadata.name)) return undefined;
    return {
      rule: 'namespace',
      message: `Namespace "${object.metadata.name}" does not match an allowed pattern (allowed: ${allowedPatterns})`,
    };
  }
  const allowedKinds = limits.clusterScopedKinds.map(({ group: g, kind }) =>
    g === '' ? kind : `${g}/${kind}`,
  );
  return {
    rule: 'cluster-scoped-kind',
    message: `cluster-scoped kind ${kindName} is not allowed on this cluster (allowed: ${allowedKinds.join(', ') || 'none'})`,
  };
}

// A rule that no longer compiles (e.g. limits written by another version) fails closed.
function compileChecked(rule: TenantLimits['rules'][number]): CheckedRule {
  try {
    return { grant: rule.grant, message: rule.message, compiled: compileRule(rule) };
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    return { grant: rule.grant, message: rule.message, compileError: error.reason };
  }
}

function ruleFailure(rule: CheckedRule, object: KubeObject): string | undefined {
  if ('compileError' in rule) return `${rule.message} (rule is invalid: ${rule.compileError})`;
  const outcome = rule.compiled.evaluate(object);
  if (outcome.passed) return undefined;
  return outcome.error === undefined ? rule.message : `${rule.message} (evaluation failed: ${outcome.error})`;
}
