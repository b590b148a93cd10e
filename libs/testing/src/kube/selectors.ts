/** Label and field selectors, in the string syntax of the Kubernetes list/watch query. */
import { errors } from './errors.js';
import { KubeObject } from './types.js';

export type LabelRequirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function checkKey(key: string, raw: string): string {
  if (!LABEL_KEY.test(key) || key.length > 316)
    throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}

function checkValue(value: string, raw: string): string {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw errors.badRequest(`unable to parse requirement: invalid label value: "${value}" in "${raw}"`);
  }
  return value;
}

export function parseLabelSelector(selector: string | undefined | null): LabelSelector {
  if (!selector) return [];
  const out: LabelSelector = [];
  for (const raw of splitTopLevel(selector)) {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=<>()]+)\s+(in|notin)\s*\((.*)\)$/.exec(raw))) {
      const values = m[3]
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
        .map((v) => checkValue(v, raw));
      out.push({ key: checkKey(m[1], raw), op: m[2] as 'in' | 'notin', values });
    } else if ((m = /^([^\s!=<>()]+)\s*(==|=|!=)\s*([^\s=!,()]*)$/.exec(raw))) {
      const value = checkValue(m[3], raw);
      out.push({ key: checkKey(m[1], raw), op: m[2] === '!=' ? 'notin' : 'in', values: [value] });
    } else if ((m = /^([^\s!=<>()]+)\s*(>|<)\s*(-?\d+)$/.exec(raw))) {
      out.push({ key: checkKey(m[1], raw), op: m[2] === '>' ? 'gt' : 'lt', value: Number(m[3]) });
    } else if ((m = /^!\s*([^\s!=<>()]+)$/.exec(raw))) {
      out.push({ key: checkKey(m[1], raw), op: '!exists' });
    } else if ((m = /^([^\s!=<>()]+)$/.exec(raw))) {
      out.push({ key: checkKey(m[1], raw), op: 'exists' });
    } else {
      throw errors.badRequest(
        `unable to parse requirement: found '${raw}', expected: in, notin, =, ==, !=, gt, lt`,
      );
    }
  }
  return out;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of selector) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels![r.key] : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(value!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(value!)) return false;
        break;
      case 'gt':
      case 'lt': {
        const n = Number(value);
        if (!has || !Number.isFinite(n) || (r.op === 'gt' ? !(n > r.value) : !(n < r.value))) return false;
      }
    }
  }
  return true;
}

/** Matches a metav1.LabelSelector object (matchLabels + matchExpressions). */
export function matchesLabelSelectorObject(
  selector: unknown,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || typeof selector !== 'object') return false;
  const s = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const reqs: LabelSelector = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) reqs.push({ key: k, op: 'in', values: [v] });
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (e.operator === 'NotIn') reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (e.operator === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else if (e.operator === 'DoesNotExist') reqs.push({ key: e.key, op: '!exists' });
  }
  return matchesLabels(reqs, labels);
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** Field selectors every kind supports, plus the kind-specific ones Kubernetes offers. */
const EXTRA_FIELDS: Record<string, string[]> = {
  '/pods': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/secrets': ['type'],
  '/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  '/namespaces': ['status.phase'],
  '/nodes': ['spec.unschedulable'],
  'batch/jobs': ['status.successful'],
  'apps/replicasets': ['status.replicas'],
};

function unescapeFieldValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

export function parseFieldSelector(
  selector: string | undefined | null,
  group: string,
  resource: string,
): FieldRequirement[] {
  if (!selector) return [];
  const allowed = new Set([
    'metadata.name',
    'metadata.namespace',
    ...(EXTRA_FIELDS[`${group}/${resource}`] ?? []),
  ]);
  const out: FieldRequirement[] = [];
  for (const raw of selector.split(/(?<!\\),/)) {
    const part = raw.trim();
    if (!part) continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const field = m[1].trim();
    if (!allowed.has(field)) throw errors.badRequest(`field label not supported: ${field}`);
    out.push({ field, value: unescapeFieldValue(m[3]), negate: m[2] === '!=' });
  }
  return out;
}

function fieldValue(obj: KubeObject, field: string): string {
  let node: unknown = obj;
  for (const part of field.split('.')) {
    if (!node || typeof node !== 'object') return '';
    node = (node as Record<string, unknown>)[part];
  }
  return node === undefined || node === null ? '' : String(node);
}

export function matchesFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  for (const r of reqs) if ((fieldValue(obj, r.field) === r.value) === r.negate) return false;
  return true;
}
