import type { Permissions } from '@nats-io/jwt';
import {
  bootstrapInboxPrefix,
  CLAIMS_UPDATER_INBOX_PREFIX,
  HUB_INBOX_PREFIX,
  inboxPrefix,
  JETSTREAM_CLIENT_SUBJECTS,
  natsSystemSubjects,
  subjects,
  wildcards,
  type ClusterId,
} from '@flotilla/contracts';

/**
 * An agent may touch only its own subjects and read only its own assignment key. Direct get
 * is the one JetStream read that permissions can confine to a single key; consumer creation
 * and STREAM.MSG.GET stay denied (they cannot be confined).
 */
export function agentPermissions(clusterId: ClusterId): Permissions {
  return {
    pub: {
      allow: [
        subjects.assignmentDirectGet(clusterId),
        subjects.status(clusterId),
        subjects.hubRequestsOf(clusterId),
      ],
    },
    sub: { allow: [`${inboxPrefix(clusterId)}.>`, subjects.agentNotify(clusterId)] },
  };
}

/**
 * The credential inside a registration token: it can only ask to register this one cluster
 * and hear the answer. It expires with the token and is revoked once the token is used.
 */
export function bootstrapPermissions(clusterId: ClusterId): Permissions {
  return {
    pub: { allow: [subjects.register(clusterId)] },
    sub: { allow: [`${bootstrapInboxPrefix(clusterId)}.>`] },
  };
}

/** The hub serves agent requests, writes assignments, notifies agents and consumes status. */
export function hubPermissions(): Permissions {
  return {
    pub: {
      allow: [
        ...JETSTREAM_CLIENT_SUBJECTS,
        wildcards.assignments,
        wildcards.agentNotify,
        `${HUB_INBOX_PREFIX}.>`,
      ],
    },
    sub: { allow: [`${HUB_INBOX_PREFIX}.>`, wildcards.hubRequests, wildcards.status, wildcards.register] },
    // Replies go to agents' `_INBOX_<id>` (and `_INBOX_reg_<id>`) subjects, which the hub may not publish to otherwise.
    resp: { max: 1 },
  };
}

/** A system-account user that can only read and replace the application account's JWT. */
export function claimsUpdaterPermissions(accountPublicKey: string): Permissions {
  return {
    pub: {
      allow: [
        natsSystemSubjects.accountClaimsUpdate(accountPublicKey),
        natsSystemSubjects.accountClaimsLookup(accountPublicKey),
      ],
    },
    sub: { allow: [`${CLAIMS_UPDATER_INBOX_PREFIX}.>`] },
  };
}
