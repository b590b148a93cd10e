import { SyncPolicySchema } from '@flotilla/contracts';
import { dnsLabelProblem } from '@flotilla/manifests';
import { selectorSchema } from '@flotilla/policy';
import { z } from 'zod';
import { checkRefName, normaliseRepoPath } from '../sources/index.js';

/** A zod string passing `check`, which throws with the reason. */
function checked(check: (value: string) => unknown) {
  return z.string().superRefine((value, context) => {
    try {
      check(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
}

const dnsLabel = z.string().superRefine((value, context) => {
  const problem = dnsLabelProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

const fields = {
  repository: dnsLabel,
  ref: checked(checkRefName).pipe(z.string().max(255)),
  path: checked(normaliseRepoPath).pipe(z.string().max(1024)),
  clusterSelector: selectorSchema,
  namespace: dnsLabel,
  syncPolicy: SyncPolicySchema,
};

export const createBindingSchema = z.strictObject({
  name: dnsLabel,
  ...fields,
  path: fields.path.default(''),
  syncPolicy: SyncPolicySchema.default({ automated: true, prune: true, selfHeal: true }),
  suspended: z.boolean().default(false),
});
export type CreateBindingDto = z.infer<typeof createBindingSchema>;

export const updateBindingSchema = z.strictObject(fields).partial();
export type UpdateBindingDto = z.infer<typeof updateBindingSchema>;

export const rollbackSchema = z.strictObject({ revision: z.number().int().min(1) });
export type RollbackDto = z.infer<typeof rollbackSchema>;
