/**
 * Simulated controllers (optional, per instance): workloads report themselves available,
 * Jobs complete, PVCs bind and Pods run, `availabilityDelayMs` after each change. One timer
 * per changed object, none while idle.
 */
import { grOf, KubeApi } from './api.js';
import { ResourceType } from './resource-registry.js';
import { isPlainObject, KubeObject, nowTimestamp } from './types.js';

type StatusFn = (o: KubeObject) => Record<string, unknown>;

const spec = (o: KubeObject) => (isPlainObject(o.spec) ? o.spec : {}) as Record<string, unknown>;
const replicas = (o: KubeObject) => (typeof spec(o).replicas === 'number' ? (spec(o).replicas as number) : 1);

function condition(type: string, reason: string, message: string) {
  const now = nowTimestamp();
  return { type, status: 'True', lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

const STATUS: Record<string, StatusFn> = {
  'apps/Deployment': (o) => {
    const n = replicas(o);
    return {
      observedGeneration: o.metadata?.generation,
      replicas: n,
      updatedReplicas: n,
      readyReplicas: n,
      availableReplicas: n,
      conditions: [
        condition('Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
        condition(
          'Progressing',
          'NewReplicaSetAvailable',
          `ReplicaSet "${o.metadata?.name}-6d4cf56db6" has successfully progressed.`,
        ),
      ],
    };
  },
  'apps/StatefulSet': (o) => {
    const n = replicas(o);
    const rev = `${o.metadata?.name}-${o.metadata?.generation ?? 1}`;
    return {
      observedGeneration: o.metadata?.generation,
      replicas: n,
      readyReplicas: n,
      currentReplicas: n,
      updatedReplicas: n,
      availableReplicas: n,
      currentRevision: rev,
      updateRevision: rev,
      collisionCount: 0,
    };
  },
  'apps/DaemonSet': (o) => ({
    observedGeneration: o.metadata?.generation,
    currentNumberScheduled: 1,
    desiredNumberScheduled: 1,
    numberAvailable: 1,
    numberMisscheduled: 0,
    numberReady: 1,
    updatedNumberScheduled: 1,
  }),
  'apps/ReplicaSet': (o) => {
    const n = replicas(o);
    return {
      observedGeneration: o.metadata?.generation,
      replicas: n,
      fullyLabeledReplicas: n,
      readyReplicas: n,
      availableReplicas: n,
    };
  },
  'batch/Job': (o) => {
    const now = nowTimestamp();
    const completions = typeof spec(o).completions === 'number' ? (spec(o).completions as number) : 1;
    return {
      startTime: o.metadata?.creationTimestamp ?? now,
      completionTime: now,
      succeeded: completions,
      ready: 0,
      terminating: 0,
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: now, lastTransitionTime: now },
        { type: 'Complete', status: 'True', lastProbeTime: now, lastTransitionTime: now },
      ],
    };
  },
  '/PersistentVolumeClaim': (o) => ({
    phase: 'Bound',
    accessModes: spec(o).accessModes,
    capacity: (spec(o).resources as { requests?: unknown } | undefined)?.requests,
  }),
  '/Pod': (o) => {
    const now = nowTimestamp();
    const containers = (spec(o).containers as { name: string; image?: string }[] | undefined) ?? [];
    return {
      phase: 'Running',
      startTime: now,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastTransitionTime: now,
      })),
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    };
  },
};

export class SimulatedControllers {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly api: KubeApi,
    private readonly delayMs: number,
  ) {
    api.onWrite((rt, type, obj) => this.changed(rt, type, obj));
  }

  private changed(rt: ResourceType, type: string, obj: KubeObject): void {
    const fn = STATUS[`${rt.group}/${rt.kind}`];
    if (!fn || rt.crd || this.stopped) return;
    const key = `${grOf(rt)}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
    const prev = this.pending.get(key);
    if (prev) clearTimeout(prev);
    if (type === 'DELETED') {
      this.pending.delete(key);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(key);
      const live = this.api.store.get(grOf(rt), obj.metadata?.namespace, obj.metadata!.name!);
      if (live) this.api.updateStatus(rt, live.metadata?.namespace, live.metadata!.name!, fn(live));
    }, this.delayMs);
    timer.unref();
    this.pending.set(key, timer);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}
