import type { Finding } from '@flotilla/policy';
import type { SecretFinding } from '../sources/index.js';

/** A check that passed, or failed with findings; `skipped` says why it did not run. */
export type Check<F, Extra = object> =
  ({ passed: true } & Extra) | { passed: false; findings: F[]; skipped?: string };

export interface RenderFinding {
  code: string;
  message: string;
}

export interface SignatureFinding {
  reason: 'unsigned' | 'untrusted' | 'invalid';
  message: string;
}

export interface ClusterPolicyFinding extends Finding {
  cluster: string;
  clusterName: string;
}

export interface RevisionChecks {
  render: Check<RenderFinding, { kind: 'plain' | 'kustomize'; objects: number }>;
  /** `required: false` when the repository has no verification configured. */
  signature: Check<SignatureFinding, { required: boolean; signer?: string; fingerprint?: string }>;
  secrets: Check<SecretFinding>;
  /** Per matching cluster: a cluster whose grants refuse the revision keeps its last good bundle. */
  policy: {
    passed: boolean;
    /** Names of the targeted clusters that accept the revision. */
    clusters: string[];
    findings: ClusterPolicyFinding[];
    skipped?: string;
  };
}

export function notRun<F>(why: string): Check<F> {
  return { passed: false, findings: [], skipped: why };
}
