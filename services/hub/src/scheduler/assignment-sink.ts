import type { Assignment } from '@flotilla/contracts';

/** Where published assignments go: the JetStream key-value bucket, key = cluster id. */
export interface AssignmentSink {
  put(clusterId: string, assignment: Assignment): Promise<void>;
}

export const ASSIGNMENT_SINK = Symbol('ASSIGNMENT_SINK');
