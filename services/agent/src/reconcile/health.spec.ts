import type { KubeObject } from '@flotilla/manifests';
import { describe, expect, it } from 'vitest';
import { healthOf, worstHealth } from './health.js';

const object = (
  apiVersion: string,
  kind: string,
  spec: object,
  status: object,
  generation = 1,
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x', generation },
  spec,
  status,
});
const deployment = (status: object, spec: object = { replicas: 2 }) =>
  object('apps/v1', 'Deployment', spec, status);

describe('healthOf', () => {
  it('is Missing for an absent object', () => {
    expect(healthOf(undefined).status).toBe('Missing');
  });

  it('is Progressing while the controller has not observed the latest generation', () => {
    const health = healthOf(
      object('apps/v1', 'Deployment', { replicas: 1 }, { observedGeneration: 1, availableReplicas: 1 }, 2),
    );
    expect(health).toEqual({ status: 'Progressing', reason: expect.stringContaining('generation 2') });
  });

  it('follows a Deployment rollout to Healthy, and reports a stuck rollout as Degraded', () => {
    expect(healthOf(deployment({ observedGeneration: 1 })).status).toBe('Progressing');
    expect(
      healthOf(deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }))
        .reason,
    ).toBe('1 old replicas pending termination');
    expect(
      healthOf(deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }))
        .status,
    ).toBe('Progressing');
    expect(
      healthOf(deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))
        .status,
    ).toBe('Healthy');
    const stuck = deployment({
      observedGeneration: 1,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'took too long',
        },
      ],
    });
    expect(healthOf(stuck)).toEqual({ status: 'Degraded', reason: 'took too long' });
  });

  it('defaults a Deployment without replicas to one', () => {
    expect(healthOf(deployment({ updatedReplicas: 1, replicas: 1, availableReplicas: 1 }, {})).status).toBe(
      'Healthy',
    );
  });

  it('judges StatefulSets by ready and updated replicas and revisions', () => {
    const sts = (status: object, spec: object = { replicas: 2 }) =>
      object('apps/v1', 'StatefulSet', spec, status);
    expect(healthOf(sts({ readyReplicas: 1 })).status).toBe('Progressing');
    expect(
      healthOf(sts({ readyReplicas: 2, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'b' }))
        .status,
    ).toBe('Progressing');
    expect(
      healthOf(sts({ readyReplicas: 2, updatedReplicas: 2, currentRevision: 'b', updateRevision: 'b' }))
        .status,
    ).toBe('Healthy');
    expect(
      healthOf(sts({ readyReplicas: 2 }, { replicas: 2, updateStrategy: { type: 'OnDelete' } })).status,
    ).toBe('Healthy');
  });

  it('judges DaemonSets by updated and available pods', () => {
    const ds = (status: object) => object('apps/v1', 'DaemonSet', {}, status);
    expect(
      healthOf(ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 2 })).status,
    ).toBe('Progressing');
    expect(
      healthOf(ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 })).status,
    ).toBe('Healthy');
  });

  it('judges Jobs by their Complete and Failed conditions', () => {
    const job = (conditions: object[]) => object('batch/v1', 'Job', {}, { conditions });
    expect(healthOf(job([])).status).toBe('Progressing');
    expect(healthOf(job([{ type: 'Complete', status: 'True' }])).status).toBe('Healthy');
    expect(healthOf(job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }]))).toEqual({
      status: 'Degraded',
      reason: 'BackoffLimitExceeded',
    });
  });

  it('judges PVCs by phase and LoadBalancer Services by their address', () => {
    const pvc = (phase: string) => object('v1', 'PersistentVolumeClaim', {}, { phase });
    expect(healthOf(pvc('Pending')).status).toBe('Progressing');
    expect(healthOf(pvc('Bound')).status).toBe('Healthy');
    expect(healthOf(pvc('Lost')).status).toBe('Degraded');
    const svc = (type: string, status: object) => object('v1', 'Service', { type }, status);
    expect(healthOf(svc('ClusterIP', {})).status).toBe('Healthy');
    expect(healthOf(svc('LoadBalancer', { loadBalancer: {} })).status).toBe('Progressing');
    expect(healthOf(svc('LoadBalancer', { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } })).status).toBe(
      'Healthy',
    );
  });

  it('uses a Ready condition for any other kind, and Stalled beats it', () => {
    const custom = (conditions: object[]) => object('example.com/v1', 'Widget', {}, { conditions });
    expect(healthOf(custom([{ type: 'Ready', status: 'True' }])).status).toBe('Healthy');
    expect(healthOf(custom([{ type: 'Ready', status: 'False', message: 'bad config' }]))).toEqual({
      status: 'Degraded',
      reason: 'bad config',
    });
    expect(healthOf(custom([{ type: 'Ready', status: 'Unknown' }])).status).toBe('Progressing');
    expect(
      healthOf(
        custom([
          { type: 'Ready', status: 'True' },
          { type: 'Stalled', status: 'True', reason: 'NoQuota' },
        ]),
      ).status,
    ).toBe('Degraded');
  });

  it('treats objects without status semantics as Healthy once they exist', () => {
    expect(healthOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }).status).toBe('Healthy');
  });
});

describe('worstHealth', () => {
  it('orders Degraded over Missing over Unknown over Progressing over Healthy', () => {
    expect(worstHealth([])).toBe('Healthy');
    expect(worstHealth(['Healthy', 'Progressing'])).toBe('Progressing');
    expect(worstHealth(['Unknown', 'Progressing'])).toBe('Unknown');
    expect(worstHealth(['Missing', 'Unknown'])).toBe('Missing');
    expect(worstHealth(['Missing', 'Degraded', 'Healthy'])).toBe('Degraded');
  });
});
