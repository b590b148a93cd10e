import { dnsSubdomainProblem } from '@flotilla/manifests';
import { z } from 'zod';

export interface GroupKind {
  /** `''` for the core group. */
  group: string;
  kind: string;
}

const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

function groupKindProblem({ group, kind }: GroupKind): string | undefined {
  if (!KIND.test(kind)) return `"${kind}" is not a kind name`;
  if (group !== '') {
    const problem = dnsSubdomainProblem(group);
    if (problem) return `invalid group: ${problem}`;
  }
  return undefined;
}

/** Reads `Kind` (core group) or `group/Kind`, e.g. `rbac.authorization.k8s.io/ClusterRole`. */
export function parseKindRef(ref: string | GroupKind): GroupKind {
  if (typeof ref !== 'string') return ref;
  const slash = ref.lastIndexOf('/');
  return slash < 0 ? { group: '', kind: ref } : { group: ref.slice(0, slash), kind: ref.slice(slash + 1) };
}

/** A cluster-scoped kind a grant allows, written as `group/Kind`, `Kind`, or `{ group, kind }`. */
export const kindRefSchema = z
  .union([z.string(), z.strictObject({ group: z.string(), kind: z.string() })])
  .superRefine((ref, context) => {
    const problem = groupKindProblem(parseKindRef(ref));
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

export type KindRef = z.infer<typeof kindRefSchema>;
