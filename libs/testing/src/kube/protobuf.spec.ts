import { describe, expect, it } from 'vitest';
import { StatusError } from './errors.js';
import { decodeProtobufObject } from './protobuf.js';

// A minimal protobuf writer, enough to build what kubectl sends.
const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
};
const bytes = (field: number, data: Buffer | string): Buffer => {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.from([...varint(field * 8 + 2), ...varint(buf.length), ...buf]);
};
const int = (field: number, n: number): Buffer => Buffer.from([...varint(field * 8), ...varint(n)]);
const msg = (...parts: Buffer[]) => Buffer.concat(parts);
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from('k8s\0', 'binary'),
    bytes(1, msg(bytes(1, apiVersion), bytes(2, kind))),
    bytes(2, raw),
  ]);

describe('protobuf decoding', () => {
  it('decodes a SelfSubjectAccessReview as kubectl auth can-i sends it', () => {
    const attrs = msg(
      bytes(1, 'team-a'),
      bytes(2, 'create'),
      bytes(3, 'apps'),
      bytes(5, 'deployments'),
      bytes(6, ''),
    );
    const body = envelope(
      'authorization.k8s.io/v1',
      'SelfSubjectAccessReview',
      msg(bytes(1, msg()), bytes(2, msg(bytes(1, attrs)))),
    );
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: {
        resourceAttributes: { namespace: 'team-a', verb: 'create', group: 'apps', resource: 'deployments' },
      },
    });
  });

  it('decodes maps, byte maps and pointer ints (ConfigMap, Secret, Deployment)', () => {
    const meta = msg(bytes(1, 'c'), bytes(3, 'ns'), bytes(11, msg(bytes(1, 'app'), bytes(2, 'web'))));
    const cm = envelope('v1', 'ConfigMap', msg(bytes(1, meta), bytes(2, msg(bytes(1, 'k'), bytes(2, 'v')))));
    expect(decodeProtobufObject(cm)).toMatchObject({
      metadata: { name: 'c', namespace: 'ns', labels: { app: 'web' } },
      data: { k: 'v' },
    });
    const secret = envelope(
      'v1',
      'Secret',
      msg(bytes(1, meta), bytes(2, msg(bytes(1, 'p'), bytes(2, Buffer.from('hi'))))),
    );
    expect(decodeProtobufObject(secret)).toMatchObject({ data: { p: Buffer.from('hi').toString('base64') } });
    const deploy = envelope('apps/v1', 'Deployment', msg(bytes(1, meta), bytes(2, msg(int(1, 0)))));
    expect(decodeProtobufObject(deploy)).toMatchObject({ spec: { replicas: 0 } });
  });

  it('refuses kinds it cannot decode with 415', () => {
    try {
      decodeProtobufObject(envelope('v1', 'Pod', msg()));
      expect.unreachable();
    } catch (e) {
      expect((e as StatusError).code).toBe(415);
    }
  });
});
