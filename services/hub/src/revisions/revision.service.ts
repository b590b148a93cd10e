import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { KubeObject } from '@flotilla/manifests';
import type { BindingEntity } from '../bindings/binding.entity.js';
import { Db } from '../database/db.js';
import { toPolicyGrant } from '../grants/grant.entity.js';
import { GrantsRepository } from '../grants/grants.repository.js';
import type { GitRepositoryEntity } from '../repositories/git-repository.entity.js';
import { ClusterDirectory } from '../scheduler/cluster-directory.js';
import { policyOnCluster, targets } from '../scheduler/placement.js';
import { GitFetcher } from '../sources/index.js';
import { BundleSigner } from './bundle-signer.js';
import type { ClusterPolicyFinding, RevisionChecks } from './checks.js';
import { buildInputFor, buildRevision } from './revision-builder.js';
import type { RevisionEntity } from './revision.entity.js';
import { RevisionsRepository } from './revisions.repository.js';

/** Everything a render depends on: when none of it changed, the binding already has this revision. */
function sourceKeyOf(binding: BindingEntity, commit: string): string {
  return createHash('sha256')
    .update(JSON.stringify([commit, binding.path, binding.namespace, binding.name]))
    .digest('hex');
}

/**
 * The revision pipeline for one binding at one commit: render → signature → secrets →
 * bundle (signed, stored once by digest) → policy per target cluster → recorded verdicts.
 */
@Injectable()
export class RevisionService {
  constructor(
    private readonly db: Db,
    private readonly revisions: RevisionsRepository,
    private readonly fetcher: GitFetcher,
    private readonly signer: BundleSigner,
    private readonly clusters: ClusterDirectory,
    private readonly grants: GrantsRepository,
  ) {}

  /** Records the binding's revision at `commit` unless it has it already; true when one was added. */
  async record(
    binding: BindingEntity,
    repository: GitRepositoryEntity,
    tenant: string,
    commit: string,
  ): Promise<boolean> {
    const sourceKey = sourceKeyOf(binding, commit);
    if ((await this.revisions.latest(binding.id))?.sourceKey === sourceKey) return false;
    const built = await buildRevision(buildInputFor(this.fetcher, binding, repository, tenant, commit));
    const policy: RevisionChecks['policy'] = built.objects
      ? await this.policyCheck(binding, built.objects)
      : { passed: false, clusters: [], findings: [], skipped: 'no bundle: an earlier check failed' };
    const checks: RevisionChecks = { ...built.checks, policy };
    const globalPass = built.bundle !== undefined;
    // Blocked = nothing of it may run anywhere; a policy refusal on some clusters only leaves
    // those clusters on their last good bundle.
    const refusedEverywhere = !policy.passed && policy.clusters.length === 0;
    const bundle = built.bundle;
    return this.db.transaction(async () => {
      const latest = await this.revisions.latest(binding.id);
      if (latest?.sourceKey === sourceKey) return false;
      if (bundle) {
        await this.revisions.putBundle({
          digest: bundle.digest,
          bytes: Buffer.from(bundle.bytes),
          signature: this.signer.sign(bundle.bytes),
        });
      }
      await this.revisions.append({
        bindingId: binding.id,
        commit,
        sourceKey,
        status: globalPass && !refusedEverywhere ? 'passed' : 'blocked',
        checks,
        bundleDigest: bundle?.digest ?? null,
      });
      return true;
    });
  }

  /**
   * The tenant's grants applied to the objects on every cluster the binding targets now.
   * `clusters` lists those that accept it; findings name the cluster that refused and why.
   */
  async policyCheck(
    binding: BindingEntity,
    objects: readonly KubeObject[],
  ): Promise<RevisionChecks['policy']> {
    const grants = (await this.grants.forTenant(binding.tenantId)).map(toPolicyGrant);
    const accepted: string[] = [];
    const findings: ClusterPolicyFinding[] = [];
    for (const cluster of (await this.clusters.all()).filter((c) => targets(binding, c))) {
      const verdict = policyOnCluster(objects, grants, cluster);
      if (verdict.passed) accepted.push(cluster.name);
      else
        findings.push(
          ...verdict.findings.map((f) => ({ ...f, cluster: cluster.id, clusterName: cluster.name })),
        );
    }
    return { passed: findings.length === 0, clusters: accepted, findings };
  }

  latest(bindingId: string): Promise<RevisionEntity | null> {
    return this.revisions.latest(bindingId);
  }
}
