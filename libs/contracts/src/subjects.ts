import { assertClusterId, isClusterId, type ClusterId } from './cluster-id.js';

const ROOT = 'flotilla';

export const HUB_OPS = ['hello', 'assignment', 'bundle'] as const;
export type HubOp = (typeof HUB_OPS)[number];

/** JetStream key-value bucket holding one assignment document per cluster (key = cluster id). */
export const ASSIGNMENTS_BUCKET = 'assignments';
/** JetStream stream capturing every agent's status reports and heartbeats. */
export const STATUS_STREAM = 'FLOTILLA_STATUS';
/** Queue group shared by all hub replicas serving agent requests. */
export const HUB_QUEUE_GROUP = 'flotilla-hub';
/**
 * Inbox prefix of the hub's own connection. Upper case on purpose: cluster ids are lower
 * case, so no agent's `_INBOX_<id>` permission can ever cover the hub's replies.
 */
export const HUB_INBOX_PREFIX = '_INBOX_HUB';
/** JetStream flow-control and acknowledgement subjects the hub publishes to as a consumer. */
export const JETSTREAM_CLIENT_SUBJECTS = ['$JS.API.>', '$JS.FC.>', '$JS.ACK.>'] as const;

/**
 * Replies to a registration request go here. `_` is never part of a cluster id, so no
 * cluster's `_INBOX_<id>` can cover another cluster's registration replies, nor the reverse.
 */
export function bootstrapInboxPrefix(clusterId: ClusterId): string {
  return `_INBOX_reg_${assertClusterId(clusterId)}`;
}

/** Request-reply replies for a cluster go here, so no agent can read another's replies. */
export function inboxPrefix(clusterId: ClusterId): string {
  return `_INBOX_${assertClusterId(clusterId)}`;
}

export const subjects = {
  hubRequest(clusterId: ClusterId, op: HubOp): string {
    if (!HUB_OPS.includes(op)) throw new TypeError(`unknown hub operation ${JSON.stringify(op)}`);
    return `${ROOT}.hub.${assertClusterId(clusterId)}.${op}`;
  },
  /** Every hub operation of one cluster (`flotilla.hub.<id>.>`), for permissions. */
  hubRequestsOf(clusterId: ClusterId): string {
    return `${ROOT}.hub.${assertClusterId(clusterId)}.>`;
  },
  agentNotify(clusterId: ClusterId): string {
    return `${ROOT}.agent.${assertClusterId(clusterId)}.notify`;
  },
  status(clusterId: ClusterId): string {
    return `${ROOT}.status.${assertClusterId(clusterId)}`;
  },
  /** Where an agent trades its registration token, with the bootstrap credential it carries. */
  register(clusterId: ClusterId): string {
    return `${ROOT}.register.${assertClusterId(clusterId)}`;
  },
  /** The KV subject under which a cluster's assignment is stored. */
  assignmentKey(clusterId: ClusterId): string {
    return `$KV.${ASSIGNMENTS_BUCKET}.${assertClusterId(clusterId)}`;
  },
  /** The JetStream direct-get subject that reads exactly one cluster's assignment. */
  assignmentDirectGet(clusterId: ClusterId): string {
    return `$JS.API.DIRECT.GET.KV_${ASSIGNMENTS_BUCKET}.${subjects.assignmentKey(clusterId)}`;
  },
} as const;

/** Wildcards covering every cluster; for hub subscriptions, stream subjects and permissions. */
export const wildcards = {
  hubRequests: `${ROOT}.hub.>`,
  agentNotify: `${ROOT}.agent.>`,
  status: `${ROOT}.status.>`,
  register: `${ROOT}.register.*`,
  assignments: `$KV.${ASSIGNMENTS_BUCKET}.>`,
} as const;

/**
 * The cluster id a subject belongs to, or null when the subject is not a Flotilla
 * per-cluster subject. The hub trusts this, never a cluster id inside a payload.
 */
export function clusterIdFromSubject(subject: string): ClusterId | null {
  const tokens = subject.split('.');
  if (tokens[0] !== ROOT) return null;
  const [, kind, id, ...rest] = tokens;
  if (!isClusterId(id)) return null;
  switch (kind) {
    case 'hub':
      return rest.length === 1 && (HUB_OPS as readonly string[]).includes(rest[0]) ? id : null;
    case 'agent':
      return rest.length === 1 && rest[0] === 'notify' ? id : null;
    case 'status':
    case 'register':
      return rest.length === 0 ? id : null;
    default:
      return null;
  }
}

/** The hub operation a `flotilla.hub.<id>.<op>` subject asks for, or null. */
export function hubOpFromSubject(subject: string): HubOp | null {
  const tokens = subject.split('.');
  if (tokens.length !== 4 || clusterIdFromSubject(subject) === null || tokens[1] !== 'hub') return null;
  return tokens[3] as HubOp;
}
