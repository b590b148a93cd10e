import { dnsLabelProblem } from '@flotilla/manifests';
import { z } from 'zod';
import { kindRefSchema } from './kind-ref.js';
import { namespacePatternSchema } from './namespace-pattern.js';
import { validateRule } from './rule.js';
import { checkedString, selectorSchema } from './selector.js';

export const ruleSchema = z.strictObject({
  expression: z.string().superRefine((expression, context) => {
    const validation = validateRule(expression);
    if (!validation.valid) context.addIssue({ code: 'custom', message: validation.error });
  }),
  message: z.string().min(1),
});

/**
 * What a tenant may deploy on the clusters matching `clusterSelector`. Parsing refuses a
 * malformed selector, namespace pattern, kind or CEL expression with the field named, so
 * a bad grant is rejected when it is written rather than when it is enforced.
 */
export const grantSchema = z.strictObject({
  name: checkedString(dnsLabelProblem),
  clusterSelector: selectorSchema,
  namespaces: z.array(namespacePatternSchema),
  /** None by default: cluster-scoped objects affect every tenant on the cluster. */
  clusterScopedKinds: z.array(kindRefSchema).default([]),
  rules: z.array(ruleSchema).default([]),
});

export type Grant = z.infer<typeof grantSchema>;
export type GrantInput = z.input<typeof grantSchema>;
