/**
 * A small decoder for the Kubernetes protobuf wire format (`application/vnd.kubernetes.protobuf`):
 * the `k8s\0` envelope, runtime.Unknown, and the handful of kinds kubectl sends only as
 * protobuf (`auth can-i`, `create namespace|configmap|secret|serviceaccount|deployment|job|service|role|rolebinding|token`).
 */
import { errors } from './errors.js';

type FieldType =
  | 'string'
  | 'bytes'
  | 'int'
  | 'bool'
  | 'time'
  | 'message'
  | 'map'
  | 'bytesmap'
  | 'quantitymap'
  | 'intorstring';

interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  message?: MessageSchema;
  /** A pointer field in Go: its zero value is meaningful (Kubernetes writes every non-pointer scalar, zero or not). */
  optional?: boolean;
}

type MessageSchema = Record<number, Field>;

const f = (name: string, type: FieldType, extra: Partial<Field> = {}): Field => ({ name, type, ...extra });

const ownerReference: MessageSchema = {
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('controller', 'bool'),
  7: f('blockOwnerDeletion', 'bool'),
};

const objectMeta: MessageSchema = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int'),
  11: f('labels', 'map'),
  12: f('annotations', 'map'),
  13: f('ownerReferences', 'message', { repeated: true, message: ownerReference }),
  14: f('finalizers', 'string', { repeated: true }),
};

const resourceAttributes: MessageSchema = {
  1: f('namespace', 'string'),
  2: f('verb', 'string'),
  3: f('group', 'string'),
  4: f('version', 'string'),
  5: f('resource', 'string'),
  6: f('subresource', 'string'),
  7: f('name', 'string'),
};
const nonResourceAttributes: MessageSchema = { 1: f('path', 'string'), 2: f('verb', 'string') };

const policyRule: MessageSchema = {
  1: f('verbs', 'string', { repeated: true }),
  2: f('apiGroups', 'string', { repeated: true }),
  3: f('resources', 'string', { repeated: true }),
  4: f('resourceNames', 'string', { repeated: true }),
  5: f('nonResourceURLs', 'string', { repeated: true }),
};
const subject: MessageSchema = {
  1: f('kind', 'string'),
  2: f('apiGroup', 'string'),
  3: f('name', 'string'),
  4: f('namespace', 'string'),
};
const roleRef: MessageSchema = { 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') };
const objectReference: MessageSchema = {
  1: f('kind', 'string'),
  2: f('namespace', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
};
const meta = f('metadata', 'message', { message: objectMeta });

const labelSelector: MessageSchema = {
  1: f('matchLabels', 'map'),
  2: f('matchExpressions', 'message', {
    repeated: true,
    message: {
      1: f('key', 'string'),
      2: f('operator', 'string'),
      3: f('values', 'string', { repeated: true }),
    },
  }),
};
const resources: MessageSchema = { 1: f('limits', 'quantitymap'), 2: f('requests', 'quantitymap') };
const container: MessageSchema = {
  1: f('name', 'string'),
  2: f('image', 'string'),
  3: f('command', 'string', { repeated: true }),
  4: f('args', 'string', { repeated: true }),
  5: f('workingDir', 'string'),
  6: f('ports', 'message', {
    repeated: true,
    message: {
      1: f('name', 'string'),
      2: f('hostPort', 'int'),
      3: f('containerPort', 'int'),
      4: f('protocol', 'string'),
    },
  }),
  7: f('env', 'message', { repeated: true, message: { 1: f('name', 'string'), 2: f('value', 'string') } }),
  8: f('resources', 'message', { message: resources }),
  14: f('imagePullPolicy', 'string'),
};
const podSpec: MessageSchema = {
  2: f('containers', 'message', { repeated: true, message: container }),
  3: f('restartPolicy', 'string'),
  4: f('terminationGracePeriodSeconds', 'int', { optional: true }),
  6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', 'map'),
  8: f('serviceAccountName', 'string'),
  20: f('initContainers', 'message', { repeated: true, message: container }),
};
const podTemplate: MessageSchema = { 1: meta, 2: f('spec', 'message', { message: podSpec }) };

const KINDS: Record<string, MessageSchema> = {
  Namespace: {
    1: meta,
    2: f('spec', 'message', { message: { 1: f('finalizers', 'string', { repeated: true }) } }),
  },
  ConfigMap: {
    1: meta,
    2: f('data', 'map'),
    3: f('binaryData', 'bytesmap'),
    4: f('immutable', 'bool', { optional: true }),
  },
  Secret: {
    1: meta,
    2: f('data', 'bytesmap'),
    3: f('type', 'string'),
    4: f('stringData', 'map'),
    5: f('immutable', 'bool', { optional: true }),
  },
  ServiceAccount: {
    1: meta,
    2: f('secrets', 'message', { repeated: true, message: objectReference }),
    3: f('imagePullSecrets', 'message', { repeated: true, message: { 1: f('name', 'string') } }),
    4: f('automountServiceAccountToken', 'bool', { optional: true }),
  },
  Deployment: {
    1: meta,
    2: f('spec', 'message', {
      message: {
        1: f('replicas', 'int', { optional: true }),
        2: f('selector', 'message', { message: labelSelector }),
        3: f('template', 'message', { message: podTemplate }),
        4: f('strategy', 'message', { message: { 1: f('type', 'string') } }),
        5: f('minReadySeconds', 'int'),
        6: f('revisionHistoryLimit', 'int', { optional: true }),
        9: f('progressDeadlineSeconds', 'int', { optional: true }),
      },
    }),
  },
  Job: {
    1: meta,
    2: f('spec', 'message', {
      message: {
        1: f('parallelism', 'int', { optional: true }),
        2: f('completions', 'int', { optional: true }),
        5: f('backoffLimit', 'int', { optional: true }),
        6: f('template', 'message', { message: podTemplate }),
      },
    }),
  },
  Service: {
    1: meta,
    2: f('spec', 'message', {
      message: {
        1: f('ports', 'message', {
          repeated: true,
          message: {
            1: f('name', 'string'),
            2: f('protocol', 'string'),
            3: f('port', 'int'),
            4: f('targetPort', 'intorstring'),
            5: f('nodePort', 'int'),
          },
        }),
        2: f('selector', 'map'),
        3: f('clusterIP', 'string'),
        4: f('type', 'string'),
      },
    }),
  },
  Role: { 1: meta, 2: f('rules', 'message', { repeated: true, message: policyRule }) },
  ClusterRole: { 1: meta, 2: f('rules', 'message', { repeated: true, message: policyRule }) },
  RoleBinding: {
    1: meta,
    2: f('subjects', 'message', { repeated: true, message: subject }),
    3: f('roleRef', 'message', { message: roleRef }),
  },
  ClusterRoleBinding: {
    1: meta,
    2: f('subjects', 'message', { repeated: true, message: subject }),
    3: f('roleRef', 'message', { message: roleRef }),
  },
  SelfSubjectAccessReview: {
    1: meta,
    2: f('spec', 'message', {
      message: {
        1: f('resourceAttributes', 'message', { message: resourceAttributes }),
        2: f('nonResourceAttributes', 'message', { message: nonResourceAttributes }),
      },
    }),
  },
  SubjectAccessReview: {
    1: meta,
    2: f('spec', 'message', {
      message: {
        1: f('resourceAttributes', 'message', { message: resourceAttributes }),
        2: f('nonResourceAttributes', 'message', { message: nonResourceAttributes }),
        3: f('user', 'string'),
        4: f('groups', 'string', { repeated: true }),
        6: f('uid', 'string'),
      },
    }),
  },
  LocalSubjectAccessReview: {
    1: meta,
    2: f('spec', 'message', {
      message: {
        1: f('resourceAttributes', 'message', { message: resourceAttributes }),
        2: f('nonResourceAttributes', 'message', { message: nonResourceAttributes }),
        3: f('user', 'string'),
        4: f('groups', 'string', { repeated: true }),
        6: f('uid', 'string'),
      },
    }),
  },
  SelfSubjectRulesReview: { 1: meta, 2: f('spec', 'message', { message: { 1: f('namespace', 'string') } }) },
  SelfSubjectReview: { 1: meta },
  TokenRequest: {
    1: meta,
    2: f('spec', 'message', {
      message: {
        1: f('audiences', 'string', { repeated: true }),
        3: f('boundObjectRef', 'message', {
          message: {
            1: f('kind', 'string'),
            2: f('apiVersion', 'string'),
            3: f('name', 'string'),
            4: f('uid', 'string'),
          },
        }),
        4: f('expirationSeconds', 'int', { optional: true }),
      },
    }),
  },
  TokenReview: {
    1: meta,
    2: f('spec', 'message', {
      message: { 1: f('token', 'string'), 2: f('audiences', 'string', { repeated: true }) },
    }),
  },
  DeleteOptions: {
    1: f('gracePeriodSeconds', 'int', { optional: true }),
    2: f('preconditions', 'message', {
      message: { 1: f('uid', 'string'), 2: f('resourceVersion', 'string') },
    }),
    4: f('propagationPolicy', 'string'),
    5: f('dryRun', 'string', { repeated: true }),
  },
};

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw errors.badRequest('truncated protobuf varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  }
  bytes(): Buffer {
    const len = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw errors.badRequest(`unsupported protobuf wire type ${wire}`);
  }
}

function decodeMessage(buf: Buffer, schema: MessageSchema): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = r.varint();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    const field = schema[num];
    if (!field) {
      r.skip(wire);
      continue;
    }
    let value: unknown;
    switch (field.type) {
      case 'string':
        value = r.bytes().toString('utf8');
        break;
      case 'bytes':
        value = r.bytes().toString('base64');
        break;
      case 'int':
        value = r.varint();
        break;
      case 'bool':
        value = r.varint() !== 0;
        break;
      case 'message':
        value = decodeMessage(r.bytes(), field.message!);
        break;
      case 'intorstring': {
        const v = decodeMessage(r.bytes(), {
          1: f('type', 'int'),
          2: f('intVal', 'int'),
          3: f('strVal', 'string'),
        });
        value = v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
        break;
      }
      case 'map':
      case 'bytesmap':
      case 'quantitymap': {
        const valueField =
          field.type === 'map'
            ? f('value', 'string')
            : field.type === 'bytesmap'
              ? f('value', 'bytes')
              : f('value', 'message', { message: { 1: f('string', 'string') } });
        const entry = decodeMessage(r.bytes(), { 1: f('key', 'string'), 2: valueField });
        const map = (out[field.name] as Record<string, unknown> | undefined) ?? {};
        const v = entry.value;
        map[String(entry.key ?? '')] =
          field.type === 'quantitymap' ? ((v as { string?: string } | undefined)?.string ?? '') : (v ?? '');
        out[field.name] = map;
        continue;
      }
    }
    if (field.repeated) ((out[field.name] as unknown[] | undefined) ?? (out[field.name] = [])).push(value);
    else if (field.optional || (value !== '' && value !== 0 && value !== false)) out[field.name] = value;
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf request body into the JSON object it stands for. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw errors.badRequest('protobuf body without the k8s envelope');
  const unknown = decodeMessage(body.subarray(4), {
    1: f('typeMeta', 'message', { message: { 1: f('apiVersion', 'string'), 2: f('kind', 'string') } }),
    2: f('raw', 'bytes'),
  });
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = KINDS[typeMeta.kind ?? ''];
  if (!schema) {
    throw errors.unsupportedMediaType(
      `application/vnd.kubernetes.protobuf (kind ${typeMeta.kind} is only served as JSON)`,
    );
  }
  const raw = Buffer.from(String(unknown.raw ?? ''), 'base64');
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decodeMessage(raw, schema) };
}
