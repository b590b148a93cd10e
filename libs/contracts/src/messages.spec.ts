import { describe, expect, it } from 'vitest';
import type { Assignment } from './assignment.js';
import { ContractViolationError } from './codec.js';
import { messages } from './messages.js';
import type { StatusReport } from './status.js';

const digest = `sha256:${'a'.repeat(64)}`;
const commit = 'b'.repeat(40);

const assignment: Assignment = {
  clusterId: 'c1',
  revision: 3,
  tenants: {
    payments: { namespaces: ['payments-*'], clusterScopedKinds: [], rules: ['object.kind != "Secret"'] },
  },
  bindings: [
    {
      bindingId: 'b-1',
      tenant: 'payments',
      name: 'api',
      bundleDigest: digest,
      commit,
      namespace: 'payments-api',
      syncPolicy: { automated: true, prune: true, selfHeal: false },
      suspended: false,
    },
  ],
};

const report: StatusReport = {
  kind: 'status',
  seq: 12,
  sentAt: '2026-11-27T10:00:00.000Z',
  assignmentRevision: 3,
  bindings: [
    {
      bindingId: 'b-1',
      appliedDigest: digest,
      commit,
      syncState: 'OutOfSync',
      health: 'Degraded',
      objects: [
        {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'payments-api',
          name: 'api',
          action: 'drifted',
          health: 'Degraded',
          driftedFields: ['spec.replicas'],
        },
      ],
      durations: { totalMs: 120, applyMs: 80 },
      error: { reason: 'HealthCheckFailed', message: 'deployment has 0/2 ready replicas' },
    },
  ],
};

describe('message contracts', () => {
  it('round-trips an assignment and a status report', () => {
    expect(messages.assignment.decode(messages.assignment.encode(assignment))).toEqual(assignment);
    expect(messages.statusMessage.decode(messages.statusMessage.encode(report))).toEqual(report);
  });

  it('round-trips hello, heartbeat and bundle messages', () => {
    const hello = { agentVersion: '0.1.0', protocolVersion: 1, kubernetesVersion: 'v1.32.1', nodeCount: 3 };
    expect(messages.helloRequest.decode(messages.helloRequest.encode(hello))).toEqual(hello);
    const refused = { status: 'refused', reason: 'protocol-too-new', message: 'upgrade the hub' } as const;
    expect(messages.helloResponse.decode(messages.helloResponse.encode(refused))).toEqual(refused);
    const heartbeat = {
      kind: 'heartbeat',
      seq: 1,
      sentAt: '2026-11-27T10:00:00+01:00',
      agentVersion: '0.1.0',
      protocolVersion: 1,
      assignmentRevision: null,
    } as const;
    expect(messages.statusMessage.decode(messages.statusMessage.encode(heartbeat))).toEqual(heartbeat);
    const bundle = {
      status: 'ok',
      digest,
      bundle: Buffer.from('{}').toString('base64'),
      signature: 'c2ln',
    } as const;
    expect(messages.bundleFetchResponse.decode(messages.bundleFetchResponse.encode(bundle))).toEqual(bundle);
  });

  it('round-trips registration and refuses a seed or a malformed key', () => {
    const publicKey = `U${'A'.repeat(55)}`;
    const request = { secret: 's'.repeat(43), publicKey, agentVersion: '0.1.0', protocolVersion: 1 };
    expect(messages.registerRequest.decode(messages.registerRequest.encode(request))).toEqual(request);
    const registered = { status: 'registered', clusterId: 'c1', jwt: 'eyJ.x.y' } as const;
    expect(messages.registerResponse.decode(messages.registerResponse.encode(registered))).toEqual(
      registered,
    );
    expect(() => messages.registerRequest.encode({ ...request, publicKey: `S${'A'.repeat(57)}` })).toThrow(
      /publicKey/,
    );
    const refused = { status: 'refused', reason: 'already-used', message: 'token was used' } as const;
    expect(messages.registerResponse.decode(messages.registerResponse.encode(refused))).toEqual(refused);
  });

  it('names the bad fields, not their values', () => {
    const bad = { ...report, seq: -1, bindings: [{ ...report.bindings[0], syncState: 'Sideways' }] };
    let error: unknown;
    try {
      messages.statusMessage.decode(new TextEncoder().encode(JSON.stringify(bad)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractViolationError);
    const message = (error as Error).message;
    expect(message).toMatch(/^invalid status message: /);
    expect(message).toContain('seq');
    expect(message).toContain('bindings.0.syncState');
    expect(message).not.toContain('Sideways');
  });

  it('refuses to encode an invalid message', () => {
    // @ts-expect-error missing fields on purpose
    expect(() => messages.helloRequest.encode({ agentVersion: '1' })).toThrow(/invalid hello request/);
  });

  it('rejects non-JSON and unknown fields', () => {
    expect(() => messages.bundleFetchRequest.decode(new Uint8Array([0xff, 0xfe]))).toThrow(/not UTF-8 JSON/);
    expect(() =>
      messages.bundleFetchRequest.decode(new TextEncoder().encode(JSON.stringify({ digest, extra: 1 }))),
    ).toThrow(ContractViolationError);
    expect(() => messages.bundleFetchRequest.decode(new TextEncoder().encode('{"digest":"md5:1"}'))).toThrow(
      /digest/,
    );
  });

  it('checks that bindings reference a listed tenant and are unique', () => {
    const orphan = { ...assignment, tenants: {} };
    expect(() => messages.assignment.encode(orphan)).toThrow(/bindings\.0\.tenant/);
    const twice = { ...assignment, bindings: [assignment.bindings[0], assignment.bindings[0]] };
    expect(() => messages.assignment.encode(twice)).toThrow(/bindings\.1\.bindingId: duplicate/);
    expect(() => messages.assignment.encode({ ...assignment, clusterId: 'a.b' })).toThrow(/clusterId/);
  });
});
