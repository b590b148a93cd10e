import { splitApiVersion, type KubeObject } from '@flotilla/manifests';

export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Unknown';

export interface Health {
  status: HealthStatus;
  reason?: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

type Status = Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };
type Rule = (object: KubeObject, status: Status) => Health;

const healthy: Health = { status: 'Healthy' };
const progressing = (reason: string): Health => ({ status: 'Progressing', reason });
const degraded = (reason: string): Health => ({ status: 'Degraded', reason });

/**
 * Health of a live object after kstatus' rules: a controller that has not yet observed the
 * latest generation is Progressing; workloads are Healthy when every desired replica is
 * updated and available; Jobs when complete; PVCs when bound; LoadBalancer Services when
 * an address is assigned; anything else with a `Ready` condition by that condition; objects
 * without status semantics are Healthy once they exist.
 */
export function healthOf(object: KubeObject | undefined): Health {
  if (!object) return { status: 'Missing', reason: 'object does not exist' };
  const status = (object.status ?? {}) as Status;
  const generation = object.metadata.generation;
  if (
    typeof generation === 'number' &&
    typeof status.observedGeneration === 'number' &&
    status.observedGeneration < generation
  )
    return progressing(`generation ${generation} not yet observed (at ${status.observedGeneration})`);
  const { group } = splitApiVersion(object.apiVersion);
  const rule = RULES[`${group}/${object.kind}`] ?? conditionHealth;
  return rule(object, status);
}

const order: HealthStatus[] = ['Healthy', 'Progressing', 'Unknown', 'Missing', 'Degraded'];

/** The worst of several healths (Degraded > Missing > Unknown > Progressing > Healthy). */
export function worstHealth(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'Healthy';
  for (const status of statuses) if (order.indexOf(status) > order.indexOf(worst)) worst = status;
  return worst;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const spec = (object: KubeObject): Record<string, unknown> => (object.spec ?? {}) as Record<string, unknown>;
const condition = (status: Status, type: string): Condition | undefined =>
  status.conditions?.find((c) => c.type === type);

function deploymentHealth(object: KubeObject, status: Status): Health {
  const progress = condition(status, 'Progressing');
  if (progress?.reason === 'ProgressDeadlineExceeded')
    return degraded(progress.message ?? 'progress deadline exceeded');
  if (spec(object).paused === true) return healthy;
  const desired = replicasOf(object);
  if (num(status.updatedReplicas) < desired)
    return progressing(`${num(status.updatedReplicas)} of ${desired} replicas updated`);
  if (num(status.replicas) > num(status.updatedReplicas))
    return progressing(
      `${num(status.replicas) - num(status.updatedReplicas)} old replicas pending termination`,
    );
  if (num(status.availableReplicas) < desired)
    return progressing(`${num(status.availableReplicas)} of ${desired} replicas available`);
  return healthy;
}

function statefulSetHealth(object: KubeObject, status: Status): Health {
  const desired = replicasOf(object);
  if (num(status.readyReplicas) < desired)
    return progressing(`${num(status.readyReplicas)} of ${desired} replicas ready`);
  const strategy = (spec(object).updateStrategy as { type?: string } | undefined)?.type;
  if (strategy === 'OnDelete') return healthy;
  if (num(status.updatedReplicas) < desired)
    return progressing(`${num(status.updatedReplicas)} of ${desired} replicas updated`);
  if (status.updateRevision !== undefined && status.currentRevision !== status.updateRevision)
    return progressing(`rolling out revision ${String(status.updateRevision)}`);
  return healthy;
}

function daemonSetHealth(_object: KubeObject, status: Status): Health {
  const desired = num(status.desiredNumberScheduled);
  if (num(status.updatedNumberScheduled) < desired)
    return progressing(`${num(status.updatedNumberScheduled)} of ${desired} pods updated`);
  if (num(status.numberAvailable) < desired)
    return progressing(`${num(status.numberAvailable)} of ${desired} pods available`);
  return healthy;
}

function jobHealth(_object: KubeObject, status: Status): Health {
  const failed = condition(status, 'Failed');
  if (failed?.status === 'True') return degraded(failed.message ?? failed.reason ?? 'job failed');
  if (condition(status, 'Complete')?.status === 'True') return healthy;
  return progressing('job is running');
}

function pvcHealth(_object: KubeObject, status: Status): Health {
  if (status.phase === 'Bound') return healthy;
  if (status.phase === 'Lost') return degraded('bound volume is lost');
  return progressing(`claim is ${typeof status.phase === 'string' ? status.phase : 'pending'}`);
}

function serviceHealth(object: KubeObject, status: Status): Health {
  if (spec(object).type !== 'LoadBalancer') return healthy;
  const ingress = (status.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress;
  return ingress && ingress.length > 0 ? healthy : progressing('load balancer address not assigned');
}

function crdHealth(_object: KubeObject, status: Status): Health {
  return condition(status, 'Established')?.status === 'True' ? healthy : progressing('not yet established');
}

/** kstatus' generic rules: Stalled, Reconciling, then Ready decide; no conditions means no opinion. */
function conditionHealth(_object: KubeObject, status: Status): Health {
  const stalled = condition(status, 'Stalled');
  if (stalled?.status === 'True') return degraded(stalled.message ?? stalled.reason ?? 'stalled');
  if (condition(status, 'Reconciling')?.status === 'True') return progressing('reconciling');
  const ready = condition(status, 'Ready');
  if (!ready) return healthy;
  if (ready.status === 'True') return healthy;
  const why = ready.message ?? ready.reason ?? 'not ready';
  return ready.status === 'False' ? degraded(why) : progressing(why);
}

function replicasOf(object: KubeObject): number {
  const replicas = spec(object).replicas;
  // The API server defaults replicas to 1.
  return typeof replicas === 'number' ? replicas : 1;
}

const RULES: Record<string, Rule> = {
  'apps/Deployment': deploymentHealth,
  'apps/StatefulSet': statefulSetHealth,
  'apps/DaemonSet': daemonSetHealth,
  'batch/Job': jobHealth,
  '/PersistentVolumeClaim': pvcHealth,
  '/Service': serviceHealth,
  'apiextensions.k8s.io/CustomResourceDefinition': crdHealth,
};
