import {
  clusterIdFromSubject,
  HUB_QUEUE_GROUP,
  hubOpFromSubject,
  messages,
  negotiate,
  wildcards,
  type Assignment,
  type BundleFetchResponse,
} from '@flotilla/contracts';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';

export interface HubResponderState {
  assignments: Map<string, Assignment>;
  bundles: Map<string, Buffer>;
  /** cluster id (taken from the subject) → the hello requests it sent. */
  hellos: Map<string, unknown[]>;
}

/**
 * A minimal stand-in for the hub's agent-facing service, answering from in-memory state.
 * Trusts only the subject's cluster id, as the real one must.
 */
export function serveHubRequests(nc: NatsConnection): { state: HubResponderState; sub: Subscription } {
  const state: HubResponderState = { assignments: new Map(), bundles: new Map(), hellos: new Map() };
  const answer = (msg: Msg, clusterId: string) => {
    switch (hubOpFromSubject(msg.subject)) {
      case 'hello': {
        const hello = messages.helloRequest.decode(msg.data);
        state.hellos.set(clusterId, [...(state.hellos.get(clusterId) ?? []), hello]);
        const outcome = negotiate(hello.protocolVersion);
        return messages.helloResponse.encode(
          outcome.result === 'ok'
            ? { status: 'accepted', protocolVersion: outcome.version }
            : { status: 'refused', reason: `protocol-${outcome.result}`, message: outcome.message },
        );
      }
      case 'assignment': {
        const assignment = state.assignments.get(clusterId);
        return messages.assignmentResponse.encode(
          assignment ? { status: 'ok', assignment } : { status: 'not-found' },
        );
      }
      case 'bundle': {
        const { digest } = messages.bundleFetchRequest.decode(msg.data);
        const bytes = state.bundles.get(digest);
        const response: BundleFetchResponse = bytes
          ? { status: 'ok', digest, bundle: bytes.toString('base64'), signature: 'c2lnbmF0dXJl' }
          : { status: 'not-found', message: `no bundle ${digest}` };
        return messages.bundleFetchResponse.encode(response);
      }
      default:
        return null;
    }
  };
  const sub = nc.subscribe(wildcards.hubRequests, {
    queue: HUB_QUEUE_GROUP,
    callback: (error, msg) => {
      const clusterId = clusterIdFromSubject(msg.subject);
      if (error || !clusterId) return;
      const reply = answer(msg, clusterId);
      if (reply) msg.respond(reply);
    },
  });
  return { state, sub };
}
