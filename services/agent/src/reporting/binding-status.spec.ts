import { BindingStatusSchema, type AssignedBinding } from '@flotilla/contracts';
import { expect, it } from 'vitest';
import type { BindingResult } from '../reconcile/index.js';
import { bundleFetchFailed, toBindingStatus } from './binding-status.js';

const digest = `sha256:${'a'.repeat(64)}`;
const commit = 'b'.repeat(40);

it('maps a failed result onto the wire, the reason and message as `error`', () => {
  const result: BindingResult = {
    bindingId: 'b-1',
    appliedDigest: digest,
    commit,
    syncState: 'Failed',
    health: 'Degraded',
    objects: [
      {
        group: '',
        kind: 'Secret',
        namespace: 'team-a',
        name: 'db',
        action: 'drifted',
        health: 'Healthy',
        driftedFields: ['data.password'],
      },
      {
        group: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        namespace: '',
        name: 'r',
        action: 'failed',
        health: 'Unknown',
        message: 'forbidden',
      },
    ],
    reason: 'ApplyFailed',
    message: '1 object(s) failed',
    durations: { totalMs: 12, applyMs: 8 },
  };

  const status = toBindingStatus(result);

  expect(BindingStatusSchema.parse(status)).toEqual(status);
  expect(status).toEqual({
    bindingId: 'b-1',
    appliedDigest: digest,
    commit,
    syncState: 'Failed',
    health: 'Degraded',
    objects: result.objects,
    durations: { totalMs: 12, applyMs: 8 },
    error: { reason: 'ApplyFailed', message: '1 object(s) failed' },
  });
});

it('reports a missing bundle as BundleFetchFailed, keeping what was last applied', () => {
  const binding: AssignedBinding = {
    bindingId: 'b-1',
    tenant: 'team-a',
    name: 'app',
    bundleDigest: `sha256:${'c'.repeat(64)}`,
    commit,
    namespace: 'team-a',
    syncPolicy: { automated: true, prune: true, selfHeal: false },
    suspended: false,
  };

  const status = bundleFetchFailed(binding, { digest, commit }, 'hub unavailable', 3);

  expect(BindingStatusSchema.parse(status)).toMatchObject({
    appliedDigest: digest,
    syncState: 'Failed',
    error: { reason: 'BundleFetchFailed', message: 'hub unavailable' },
  });
});
