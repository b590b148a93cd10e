import { describe, expect, it } from 'vitest';
import { assertClusterId, isClusterId } from './cluster-id.js';
import { CLAIMS_UPDATER_INBOX_PREFIX, natsSystemSubjects } from './nats-system.js';
import {
  bootstrapInboxPrefix,
  clusterIdFromSubject,
  HUB_INBOX_PREFIX,
  hubOpFromSubject,
  inboxPrefix,
  subjects,
  wildcards,
} from './subjects.js';

describe('cluster ids', () => {
  it.each(['a', 'prod-eu-1', '0', 'x'.repeat(63)])('accepts %s', (id) => {
    expect(isClusterId(id)).toBe(true);
  });

  it.each(['', 'a.b', 'a*', 'a>', 'a b', '-a', 'a-', 'A', 'x'.repeat(64), 'a\n', 42, null])(
    'rejects %j',
    (id) => {
      expect(isClusterId(id)).toBe(false);
      expect(() => assertClusterId(id)).toThrow(/invalid cluster id/);
    },
  );
});

describe('subjects', () => {
  it('spells every per-cluster subject', () => {
    expect(subjects.hubRequest('c1', 'hello')).toBe('flotilla.hub.c1.hello');
    expect(subjects.hubRequest('c1', 'bundle')).toBe('flotilla.hub.c1.bundle');
    expect(subjects.hubRequestsOf('c1')).toBe('flotilla.hub.c1.>');
    expect(subjects.agentNotify('c1')).toBe('flotilla.agent.c1.notify');
    expect(subjects.status('c1')).toBe('flotilla.status.c1');
    expect(inboxPrefix('c1')).toBe('_INBOX_c1');
    expect(subjects.register('c1')).toBe('flotilla.register.c1');
    expect(bootstrapInboxPrefix('c1')).toBe('_INBOX_reg_c1');
    expect(subjects.assignmentDirectGet('c1')).toBe('$JS.API.DIRECT.GET.KV_assignments.$KV.assignments.c1');
  });

  it('refuses to build a subject from an id that would widen it', () => {
    expect(() => subjects.status('*')).toThrow(/invalid cluster id/);
    expect(() => subjects.agentNotify('a.>')).toThrow(/invalid cluster id/);
    expect(() => inboxPrefix('a b')).toThrow(/invalid cluster id/);
    expect(() => subjects.register('a.*')).toThrow(/invalid cluster id/);
    expect(() => bootstrapInboxPrefix('>')).toThrow(/invalid cluster id/);
    // @ts-expect-error unknown op on purpose
    expect(() => subjects.hubRequest('c1', 'delete')).toThrow(/unknown hub operation/);
  });

  it('keeps every per-cluster subject inside its wildcard', () => {
    const within = (subject: string, wildcard: string) => subject.startsWith(wildcard.slice(0, -1));
    expect(within(subjects.hubRequest('c1', 'hello'), wildcards.hubRequests)).toBe(true);
    expect(within(subjects.agentNotify('c1'), wildcards.agentNotify)).toBe(true);
    expect(within(subjects.status('c1'), wildcards.status)).toBe(true);
    expect(within(subjects.assignmentKey('c1'), wildcards.assignments)).toBe(true);
  });
});

describe('clusterIdFromSubject', () => {
  it('reads the id back from every subject it builds', () => {
    for (const subject of [
      subjects.hubRequest('edge-7', 'assignment'),
      subjects.agentNotify('edge-7'),
      subjects.status('edge-7'),
      subjects.register('edge-7'),
    ]) {
      expect(clusterIdFromSubject(subject)).toBe('edge-7');
    }
  });

  it.each([
    'other.status.c1',
    '$JS.API.INFO',
    'flotilla',
    'flotilla.status',
    'flotilla.status.C1',
    'flotilla.status.c1.extra',
    'flotilla.hub.c1.delete',
    'flotilla.hub.c1',
    'flotilla.agent.c1.other',
    'flotilla.unknown.c1',
    'flotilla.register.c1.extra',
  ])('returns null for %s', (subject) => {
    expect(clusterIdFromSubject(subject)).toBeNull();
  });

  it('reads the hub operation', () => {
    expect(hubOpFromSubject('flotilla.hub.c1.bundle')).toBe('bundle');
    expect(hubOpFromSubject('flotilla.status.c1')).toBeNull();
    expect(hubOpFromSubject('flotilla.hub.c1.nope')).toBeNull();
  });
});

describe('reserved inboxes', () => {
  it('no cluster id can claim the hub or claims-updater inbox', () => {
    for (const prefix of [HUB_INBOX_PREFIX, CLAIMS_UPDATER_INBOX_PREFIX]) {
      const id = prefix.slice('_INBOX_'.length);
      expect(isClusterId(id)).toBe(false);
      expect(isClusterId(id.toLowerCase())).toBe(true); // the case difference is what protects it
    }
  });
});

describe('bootstrap inboxes', () => {
  it('never overlap a cluster inbox: cluster ids have no "_"', () => {
    const prefix = bootstrapInboxPrefix('c1');
    expect(isClusterId(prefix.slice('_INBOX_'.length))).toBe(false);
    expect(prefix.startsWith(`${inboxPrefix('c1')}.`)).toBe(false);
  });
});

describe('natsSystemSubjects', () => {
  it('spells the claims update subject for an account key only', () => {
    const account = `A${'B'.repeat(55)}`;
    expect(natsSystemSubjects.accountClaimsUpdate(account)).toBe(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.UPDATE`);
    expect(natsSystemSubjects.accountClaimsLookup(account)).toBe(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.LOOKUP`);
    expect(() => natsSystemSubjects.accountClaimsUpdate('U' + 'B'.repeat(55))).toThrow(/account public key/);
    expect(() => natsSystemSubjects.accountClaimsUpdate('*')).toThrow(/account public key/);
  });
});
