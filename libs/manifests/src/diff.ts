import { isDeepStrictEqual } from 'node:util';
import { isRecord } from './validate-object.js';
import type { KubeObject } from './types.js';

export const REDACTED = '<redacted>';

export interface Drift {
  /** Field path such as `spec.replicas`, `spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  desired: unknown;
  /** Undefined when the live object lacks the field. */
  live: unknown;
}

/**
 * Fields whose live value differs from the desired one. Only fields present in `desired`
 * are compared, so fields defaulted by the API server or owned by other managers are not
 * drift. Values under a Secret's `data` are reported as REDACTED, never in clear.
 * Lists are compared element by element when their lengths match, else as a whole.
 */
export function diffObjects(desired: KubeObject, live: KubeObject): Drift[] {
  const isSecret = desired.kind === 'Secret' && desired.apiVersion === 'v1';
  const { status: _desiredStatus, ...wanted } = isSecret ? foldStringData(desired) : desired;
  const drifts: Drift[] = [];
  collect(wanted, live, '', drifts);
  return isSecret ? drifts.map(redactSecretValues) : drifts;
}

function collect(desired: unknown, live: unknown, path: string, drifts: Drift[]): void {
  if (isRecord(desired) && isRecord(live)) {
    for (const [key, value] of Object.entries(desired)) {
      if (value !== undefined) collect(value, live[key], join(path, key), drifts);
    }
    return;
  }
  if (Array.isArray(desired) && Array.isArray(live) && desired.length === live.length) {
    desired.forEach((item, index) => collect(item, live[index], `${path}[${index}]`, drifts));
    return;
  }
  if (!isDeepStrictEqual(desired, live)) drifts.push({ path, desired, live });
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function join(path: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

// The API server folds stringData into base64 data and never returns stringData, so the
// desired side is compared in the form the live object has.
function foldStringData(secret: KubeObject): KubeObject {
  const { stringData, ...rest } = secret;
  if (!isRecord(stringData)) return secret;
  const folded = Object.fromEntries(
    Object.entries(stringData).map(([key, value]) => [
      key,
      Buffer.from(String(value), 'utf8').toString('base64'),
    ]),
  );
  return { ...rest, data: { ...(isRecord(rest.data) ? rest.data : {}), ...folded } } as KubeObject;
}

function redactSecretValues(drift: Drift): Drift {
  if (!/^(data|stringData)([.[]|$)/.test(drift.path)) return drift;
  const hide = (value: unknown) => (value === undefined ? undefined : redact(value));
  return { ...drift, desired: hide(drift.desired), live: hide(drift.live) };
}

// A whole data map may differ at once (e.g. missing on the live side): keep its keys, hide values.
function redact(value: unknown): unknown {
  if (isRecord(value)) return Object.fromEntries(Object.keys(value).map((key) => [key, REDACTED]));
  return REDACTED;
}
