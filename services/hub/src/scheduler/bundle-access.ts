import { Injectable } from '@nestjs/common';
import type { BundleFetchRequest, BundleFetchResponse } from '@flotilla/contracts';
import { RevisionsRepository } from '../revisions/revisions.repository.js';
import { AssignmentStateRepository } from './assignment-state.repository.js';

/**
 * Answers an agent's bundle fetch (`flotilla.hub.<cluster>.bundle`): only bundles named by
 * that cluster's published assignment are served. The messaging module hooks this into
 * `serve('bundle', …)`; the cluster id comes from the subject, never from the payload.
 */
@Injectable()
export class BundleAccess {
  constructor(
    private readonly revisions: RevisionsRepository,
    private readonly states: AssignmentStateRepository,
  ) {}

  async fetch(clusterId: string, request: BundleFetchRequest): Promise<BundleFetchResponse> {
    const state = await this.states.find(clusterId);
    const bundle = await this.revisions.findBundle(request.digest);
    if (!bundle) return { status: 'not-found', message: `no bundle ${request.digest}` };
    if (!state?.bundleDigests.includes(request.digest))
      return { status: 'forbidden', message: `bundle ${request.digest} is not assigned to this cluster` };
    return {
      status: 'ok',
      digest: bundle.digest,
      bundle: Buffer.from(bundle.bytes).toString('base64'),
      signature: bundle.signature,
    };
  }
}
