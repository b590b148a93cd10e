import { ManifestError, type ManifestErrorLocation } from './errors.js';
import { splitApiVersion } from './identify.js';
import {
  dnsLabelProblem,
  dnsSubdomainProblem,
  labelKeyProblem,
  labelValueProblem,
  pathSegmentNameProblem,
} from './names.js';
import type { KubeObject } from './types.js';

const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
// Built-in versions look like v1beta1; CRDs may use any DNS-1035 label.
const VERSION = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// RBAC object names are path segments, not DNS names (e.g. `system:aggregate-to-view`).
const PATH_SEGMENT_NAME_GROUPS = new Set(['rbac.authorization.k8s.io']);

/**
 * Checks that a parsed document is a Kubernetes object Flotilla can identify and apply;
 * throws a ManifestError naming the offending field.
 */
export function validateObject(value: unknown, where: ManifestErrorLocation): KubeObject {
  const fail = (field: string | undefined, reason: string): never => {
    throw new ManifestError({ ...where, field }, reason);
  };
  if (!isRecord(value))
    return fail(undefined, `expected a Kubernetes object (a mapping), got ${typeName(value)}`);

  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== 'string' || apiVersion === '')
    return fail('apiVersion', 'must be a non-empty string');
  const { group, version } = splitApiVersion(apiVersion);
  if (!VERSION.test(version))
    return fail('apiVersion', `"${apiVersion}" has an invalid version "${version}"`);
  if (group !== '') {
    const problem = dnsSubdomainProblem(group);
    if (problem) return fail('apiVersion', `invalid group: ${problem}`);
  }
  if (typeof kind !== 'string' || !KIND.test(kind))
    return fail('kind', 'must be a non-empty alphanumeric string');
  if (!isRecord(metadata)) return fail('metadata', 'must be a mapping');

  const { name, namespace, labels, annotations } = metadata;
  if (typeof name !== 'string' || name === '') return fail('metadata.name', 'must be a non-empty string');
  const nameProblem = PATH_SEGMENT_NAME_GROUPS.has(group)
    ? pathSegmentNameProblem(name)
    : dnsSubdomainProblem(name);
  if (nameProblem) return fail('metadata.name', nameProblem);
  if (namespace !== undefined) {
    if (typeof namespace !== 'string') return fail('metadata.namespace', 'must be a string');
    const problem = dnsLabelProblem(namespace);
    if (problem) return fail('metadata.namespace', problem);
  }
  checkStringMap(labels, 'metadata.labels', labelValueProblem, fail);
  checkStringMap(annotations, 'metadata.annotations', () => undefined, fail);
  return value as KubeObject;
}

function checkStringMap(
  map: unknown,
  field: string,
  valueProblem: (value: string) => string | undefined,
  fail: (field: string, reason: string) => never,
): void {
  // `labels:` with nothing after it parses as null; the API server treats that as absent.
  if (map === undefined || map === null) return;
  if (!isRecord(map)) fail(field, 'must be a mapping of strings');
  for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) fail(field, keyProblem);
    if (typeof value !== 'string') fail(`${field}.${key}`, `must be a string, got ${typeName(value)}`);
    const problem = valueProblem(value as string);
    if (problem) fail(`${field}.${key}`, problem);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : typeof value;
}
