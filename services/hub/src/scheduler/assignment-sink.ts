import type { Assignment } from '@flotilla/contracts';

/**
 * Where published assignments go. In the hub it is HubMessaging (JetStream KV, key = cluster
 * id, plus the agent notification); an interface so the scheduler does not care which.
 */
export interface AssignmentSink {
  putAssignment(clusterId: string, assignment: Assignment): Promise<void>;
}

export const ASSIGNMENT_SINK = Symbol('ASSIGNMENT_SINK');
