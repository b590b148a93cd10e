import {
  createBundle,
  normalise,
  parseManifests,
  type CreatedBundle,
  type KubeObject,
  type Ownership,
} from '@flotilla/manifests';
import {
  renderPath,
  scanForSecrets,
  scrub,
  SourceError,
  verifyCommitSignature,
  type GitFetcher,
} from '../sources/index.js';
import type { BindingEntity } from '../bindings/binding.entity.js';
import type { GitRepositoryEntity } from '../repositories/git-repository.entity.js';
import { notRun, type RevisionChecks } from './checks.js';

export interface BuildInput {
  fetcher: GitFetcher;
  repoId: string;
  commit: string;
  path: string;
  namespace: string;
  ownership: Ownership;
  trustedKeys: readonly string[] | null;
}

/** What to build for `binding` at `commit`: its repository's path, namespace and trust. */
export function buildInputFor(
  fetcher: GitFetcher,
  binding: Pick<BindingEntity, 'id' | 'name' | 'path' | 'namespace'>,
  repository: Pick<GitRepositoryEntity, 'id' | 'verification'>,
  tenant: string,
  commit: string,
): BuildInput {
  return {
    fetcher,
    repoId: repository.id,
    commit,
    path: binding.path,
    namespace: binding.namespace,
    ownership: { bindingId: binding.id, tenant, bindingName: binding.name },
    trustedKeys: repository.verification?.trustedKeys ?? null,
  };
}

export interface Built {
  /** Every check but policy, which depends on the clusters (see placement). */
  checks: Omit<RevisionChecks, 'policy'>;
  /** Present only when render, signature and secrets all passed. */
  bundle?: CreatedBundle;
  objects?: KubeObject[];
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof SourceError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: error instanceof Error ? error.name : 'render_failed', message: scrub(message) };
}

async function signatureCheck(input: BuildInput): Promise<RevisionChecks['signature']> {
  if (!input.trustedKeys) return { passed: true, required: false };
  const verdict = await verifyCommitSignature({
    fetcher: input.fetcher,
    repoId: input.repoId,
    commit: input.commit,
    trustedKeys: input.trustedKeys,
  });
  if (verdict.verified)
    return { passed: true, required: true, signer: verdict.signer, fingerprint: verdict.fingerprint };
  const messages = {
    unsigned: `commit ${input.commit} is not signed`,
    untrusted: `commit ${input.commit} is signed by a key that is not trusted for this repository`,
    invalid: `commit ${input.commit} has a signature that does not verify`,
  };
  return { passed: false, findings: [{ reason: verdict.reason, message: messages[verdict.reason] }] };
}

/**
 * Renders one binding at one commit and runs the checks that do not depend on clusters. A
 * failure of any of them leaves no bundle: nothing of this commit can be published.
 */
export async function buildRevision(input: BuildInput): Promise<Built> {
  const signature = await signatureCheck(input);
  let objects: KubeObject[];
  let rendered: Awaited<ReturnType<typeof renderPath>>;
  try {
    rendered = await renderPath({
      fetcher: input.fetcher,
      repoId: input.repoId,
      commit: input.commit,
      path: input.path,
    });
    const parsed = parseManifests(rendered.files);
    objects = normalise(parsed.objects, { namespace: input.namespace, ownership: input.ownership }).map(
      (sourced) => sourced.object,
    );
  } catch (error) {
    return {
      checks: {
        render: { passed: false, findings: [describe(error)] },
        signature,
        secrets: notRun('rendering failed'),
      },
    };
  }
  const findings = await scanForSecrets(rendered.files);
  const secrets: RevisionChecks['secrets'] = findings.length ? { passed: false, findings } : { passed: true };
  const checks = {
    render: { passed: true as const, kind: rendered.kind, objects: objects.length },
    signature,
    secrets,
  };
  if (!signature.passed || !secrets.passed) return { checks };
  const bundle = createBundle({
    bindingId: input.ownership.bindingId,
    tenant: input.ownership.tenant,
    commit: input.commit,
    objects,
  });
  return { checks, bundle, objects: bundle.bundle.objects };
}
