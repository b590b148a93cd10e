import { labelKeyProblem, labelValueProblem } from '@flotilla/manifests';
import { z } from 'zod';

/** A zod string checked by one of the Kubernetes name rules, with the rule's own reason. */
export function checkedString(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, context) => {
    const reason = problem(value);
    if (reason) context.addIssue({ code: 'custom', message: reason });
  });
}

const labelKey = checkedString(labelKeyProblem);
const labelValue = checkedString(labelValueProblem);

export const selectorRequirementSchema = z
  .strictObject({
    key: labelKey,
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(labelValue).optional(),
  })
  .superRefine(({ operator, values }, context) => {
    const hasValues = (values?.length ?? 0) > 0;
    if ((operator === 'In' || operator === 'NotIn') && !hasValues)
      context.addIssue({
        code: 'custom',
        path: ['values'],
        message: `operator ${operator} needs at least one value`,
      });
    if ((operator === 'Exists' || operator === 'DoesNotExist') && hasValues)
      context.addIssue({ code: 'custom', path: ['values'], message: `operator ${operator} takes no values` });
  });

/** A Kubernetes label selector. An empty selector matches every set of labels. */
export const selectorSchema = z.strictObject({
  // Keys are checked here rather than by z.record, whose key error hides the reason.
  matchLabels: z
    .record(z.string(), labelValue)
    .superRefine((labels, context) => {
      for (const key of Object.keys(labels)) {
        const reason = labelKeyProblem(key);
        if (reason) context.addIssue({ code: 'custom', path: [key], message: reason });
      }
    })
    .optional(),
  matchExpressions: z.array(selectorRequirementSchema).optional(),
});

export type LabelSelector = z.infer<typeof selectorSchema>;
export type SelectorRequirement = z.infer<typeof selectorRequirementSchema>;

/** Kubernetes semantics: every matchLabels entry and every expression must hold (AND). */
export function matchesSelector(
  labels: Readonly<Record<string, string>> | undefined,
  selector: LabelSelector,
): boolean {
  const has = (key: string) => labels !== undefined && Object.hasOwn(labels, key);
  const labelsMatch = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => has(key) && labels![key] === value,
  );
  return (
    labelsMatch &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return has(key) && values.includes(labels![key]!);
        case 'NotIn':
          return !has(key) || !values.includes(labels![key]!);
        case 'Exists':
          return has(key);
        case 'DoesNotExist':
          return !has(key);
      }
    })
  );
}
