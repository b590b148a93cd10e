/** The object validation kube-apiserver does that tests are likely to trip over (not all of it). */
import { StatusCause } from './errors.js';
import { ResourceType } from './resource-registry.js';
import { isPlainObject, KubeObject } from './types.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

export const KNOWN_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

const LABEL_NAMES = new Set(['namespaces', 'services']);
const PATH_SEGMENT_NAMES = new Set(['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']);

function validName(rt: ResourceType, name: string): string | undefined {
  if (PATH_SEGMENT_NAMES.has(rt.resource) && !rt.crd) {
    if (name === '.' || name === '..' || /[/%]/.test(name))
      return `may not contain '/' or '%' and may not be '.' or '..'`;
    return undefined;
  }
  if (LABEL_NAMES.has(rt.resource) && !rt.group) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    }
    return undefined;
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return undefined;
}

function validQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

const invalid = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
});
const required = (field: string): StatusCause => ({
  reason: 'FieldValueRequired',
  message: 'Required value',
  field,
});

export function validateObject(rt: ResourceType, obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = obj.metadata ?? {};
  if (!meta.name) causes.push(required('metadata.name'));
  else {
    const why = validName(rt, meta.name);
    if (why) causes.push(invalid('metadata.name', meta.name, why));
  }
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    if (!validQualifiedKey(k))
      causes.push(
        invalid(
          'metadata.labels',
          k,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      causes.push(
        invalid(
          'metadata.labels',
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (!validQualifiedKey(k))
      causes.push(
        invalid(
          'metadata.annotations',
          k,
          "name part must consist of alphanumeric characters, '-', '_' or '.'",
        ),
      );
    if (typeof v !== 'string') causes.push(invalid(`metadata.annotations[${k}]`, v, 'must be a string'));
  }
  const kindCheck = KIND_CHECKS[`${rt.group}/${rt.kind}`];
  if (kindCheck && !rt.crd) kindCheck(obj, causes);
  return causes;
}

type Check = (obj: KubeObject, causes: StatusCause[]) => void;

function checkDataKeys(field: string, data: unknown, causes: StatusCause[], base64: boolean): void {
  if (data === undefined) return;
  if (!isPlainObject(data)) {
    causes.push(invalid(field, data, 'must be a map'));
    return;
  }
  for (const [k, v] of Object.entries(data)) {
    if (!CONFIG_KEY.test(k) || k.length > 253) {
      causes.push(
        invalid(
          `${field}[${k}]`,
          k,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        ),
      );
    }
    if (typeof v !== 'string') causes.push(invalid(`${field}[${k}]`, v, 'must be a string'));
    else if (base64 && !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
      causes.push(invalid(`${field}[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
  }
}

const KIND_CHECKS: Record<string, Check> = {
  '/ConfigMap': (o, c) => {
    checkDataKeys('data', o.data, c, false);
    checkDataKeys('binaryData', o.binaryData, c, true);
  },
  '/Secret': (o, c) => {
    checkDataKeys('data', o.data, c, true);
    checkDataKeys('stringData', o.stringData, c, false);
  },
  'rbac.authorization.k8s.io/RoleBinding': (o, c) => checkRoleRef(o, c, ['Role', 'ClusterRole']),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o, c) => checkRoleRef(o, c, ['ClusterRole']),
  'rbac.authorization.k8s.io/Role': (o, c) => checkRules(o, c),
  'rbac.authorization.k8s.io/ClusterRole': (o, c) => checkRules(o, c),
  'apps/Deployment': (o, c) => checkSelector(o, c),
  'apps/StatefulSet': (o, c) => checkSelector(o, c),
  'apps/DaemonSet': (o, c) => checkSelector(o, c),
  'apps/ReplicaSet': (o, c) => checkSelector(o, c),
  'apiextensions.k8s.io/CustomResourceDefinition': (o, c) => checkCRD(o, c),
};

function checkRoleRef(o: KubeObject, c: StatusCause[], kinds: string[]): void {
  const ref = o.roleRef as Record<string, unknown> | undefined;
  if (!isPlainObject(ref)) {
    c.push(required('roleRef'));
    return;
  }
  if (!kinds.includes(String(ref.kind)))
    c.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(ref.kind)}: supported values: ${kinds.map((k) => `"${k}"`).join(', ')}`,
      field: 'roleRef.kind',
    });
  if (!ref.name) c.push(required('roleRef.name'));
  for (const [i, s] of ((o.subjects as unknown[]) ?? []).entries()) {
    if (!isPlainObject(s) || !s.name) c.push(required(`subjects[${i}].name`));
    else if (!['User', 'Group', 'ServiceAccount'].includes(String(s.kind))) {
      c.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(s.kind)}: supported values: "ServiceAccount", "User", "Group"`,
        field: `subjects[${i}].kind`,
      });
    }
  }
}

function checkRules(o: KubeObject, c: StatusCause[]): void {
  for (const [i, r] of ((o.rules as unknown[]) ?? []).entries()) {
    if (!isPlainObject(r) || !Array.isArray(r.verbs) || r.verbs.length === 0)
      c.push(required(`rules[${i}].verbs`));
    else if (!Array.isArray(r.nonResourceURLs) && !Array.isArray(r.resources))
      c.push(required(`rules[${i}].resources`));
  }
}

function checkSelector(o: KubeObject, c: StatusCause[]): void {
  const spec = o.spec as Record<string, unknown> | undefined;
  const selector = spec?.selector as { matchLabels?: Record<string, string> } | undefined;
  if (!selector) {
    c.push(required('spec.selector'));
    return;
  }
  const tmplLabels = ((spec?.template as KubeObject | undefined)?.metadata?.labels ?? {}) as Record<
    string,
    string
  >;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (tmplLabels[k] !== v) {
      c.push(
        invalid('spec.template.metadata.labels', tmplLabels, '`selector` does not match template `labels`'),
      );
      return;
    }
  }
}

function checkCRD(o: KubeObject, c: StatusCause[]): void {
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  const names = (spec.names ?? {}) as Record<string, unknown>;
  if (!spec.group) c.push(required('spec.group'));
  if (!names.plural) c.push(required('spec.names.plural'));
  if (!names.kind) c.push(required('spec.names.kind'));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    c.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
      field: 'spec.scope',
    });
  }
  if (names.plural && spec.group && o.metadata?.name !== `${names.plural}.${spec.group}`) {
    c.push(invalid('metadata.name', o.metadata?.name, 'must be spec.names.plural+"."+spec.group'));
  }
  const versions = Array.isArray(spec.versions) ? (spec.versions as Record<string, unknown>[]) : [];
  if (versions.length === 0) c.push(required('spec.versions'));
  if (versions.filter((v) => v.storage === true).length !== 1) {
    c.push(
      invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
}

/** Unknown top-level and metadata fields (strict field validation). */
export function unknownFields(rt: ResourceType, obj: KubeObject): string[] {
  const out: string[] = [];
  if (rt.topLevelFields) for (const k of Object.keys(obj)) if (!rt.topLevelFields.includes(k)) out.push(k);
  if (isPlainObject(obj.metadata))
    for (const k of Object.keys(obj.metadata)) if (!KNOWN_META_FIELDS.has(k)) out.push(`metadata.${k}`);
  return out;
}
