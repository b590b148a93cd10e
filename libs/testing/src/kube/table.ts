/** meta.k8s.io/v1 Table answers, which `kubectl get` asks for to print its columns. */
import { ResourceType } from './resource-registry.js';
import { isPlainObject, KubeObject } from './types.js';

interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority?: number;
  cell: (o: KubeObject) => unknown;
}

export function humanAge(from: string | undefined, now = Date.now()): string {
  if (!from) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(from)) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const get = (o: unknown, path: string): unknown => {
  let n = o;
  for (const p of path.split('.').filter(Boolean)) {
    if (!isPlainObject(n)) return undefined;
    n = n[p];
  }
  return n;
};
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

const nameCol: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  cell: (o) => o.metadata?.name,
};
const ageCol: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o) => humanAge(o.metadata?.creationTimestamp),
};
const col = (name: string, cell: (o: KubeObject) => unknown, type = 'string'): Column => ({
  name,
  type,
  description: name,
  cell,
});

const COLUMNS: Record<string, Column[]> = {
  '/Namespace': [nameCol, col('Status', (o) => get(o, 'status.phase')), ageCol],
  '/ConfigMap': [
    nameCol,
    col(
      'Data',
      (o) =>
        Object.keys((o.data as object) ?? {}).length + Object.keys((o.binaryData as object) ?? {}).length,
      'integer',
    ),
    ageCol,
  ],
  '/Secret': [
    nameCol,
    col('Type', (o) => o.type),
    col('Data', (o) => Object.keys((o.data as object) ?? {}).length, 'integer'),
    ageCol,
  ],
  '/ServiceAccount': [
    nameCol,
    col('Secrets', (o) => ((o.secrets as unknown[]) ?? []).length, 'integer'),
    ageCol,
  ],
  '/Pod': [
    nameCol,
    col('Ready', (o) => {
      const statuses = (get(o, 'status.containerStatuses') as { ready?: boolean }[] | undefined) ?? [];
      const total = ((get(o, 'spec.containers') as unknown[]) ?? []).length;
      return `${statuses.filter((s) => s.ready).length}/${total}`;
    }),
    col('Status', (o) => get(o, 'status.phase') ?? 'Pending'),
    col('Restarts', () => 0, 'integer'),
    ageCol,
  ],
  '/Service': [
    nameCol,
    col('Type', (o) => get(o, 'spec.type') ?? 'ClusterIP'),
    col('Cluster-IP', (o) => get(o, 'spec.clusterIP') ?? '<none>'),
    col('External-IP', () => '<none>'),
    col(
      'Port(s)',
      (o) =>
        ((get(o, 'spec.ports') as { port?: number; protocol?: string }[]) ?? [])
          .map((p) => `${p.port}/${p.protocol ?? 'TCP'}`)
          .join(',') || '<none>',
    ),
    ageCol,
  ],
  'apps/Deployment': [
    nameCol,
    col('Ready', (o) => `${num(get(o, 'status.readyReplicas'))}/${num(get(o, 'spec.replicas') ?? 1)}`),
    col('Up-to-date', (o) => num(get(o, 'status.updatedReplicas')), 'integer'),
    col('Available', (o) => num(get(o, 'status.availableReplicas')), 'integer'),
    ageCol,
  ],
  'apps/StatefulSet': [
    nameCol,
    col('Ready', (o) => `${num(get(o, 'status.readyReplicas'))}/${num(get(o, 'spec.replicas') ?? 1)}`),
    ageCol,
  ],
  'apps/DaemonSet': [
    nameCol,
    col('Desired', (o) => num(get(o, 'status.desiredNumberScheduled')), 'integer'),
    col('Ready', (o) => num(get(o, 'status.numberReady')), 'integer'),
    ageCol,
  ],
  'batch/Job': [
    nameCol,
    col('Status', (o) => (num(get(o, 'status.succeeded')) > 0 ? 'Complete' : 'Running')),
    ageCol,
  ],
  'apiextensions.k8s.io/CustomResourceDefinition': [
    nameCol,
    { ...col('Created At', (o) => o.metadata?.creationTimestamp), format: 'date-time' },
  ],
};

function crdColumns(rt: ResourceType, crd: KubeObject | undefined): Column[] {
  const versions =
    ((crd?.spec as Record<string, unknown> | undefined)?.versions as Record<string, unknown>[] | undefined) ??
    [];
  const printer = (versions.find((v) => v.storage) ?? versions[0])?.additionalPrinterColumns as
    { name: string; type: string; jsonPath: string; description?: string; priority?: number }[] | undefined;
  if (!printer?.length) return [nameCol, ageCol];
  return [
    nameCol,
    ...printer.map((p) => ({
      name: p.name,
      type: p.type,
      description: p.description ?? p.name,
      priority: p.priority ?? 0,
      cell: (o: KubeObject) => {
        const v = get(o, p.jsonPath);
        return p.type === 'date' && typeof v === 'string' ? humanAge(v) : (v ?? null);
      },
    })),
  ];
}

export function toTable(
  rt: ResourceType,
  objects: KubeObject[],
  listMeta: Record<string, unknown>,
  includeObject: string | undefined,
  crd?: KubeObject,
): KubeObject {
  const cols = rt.crd ? crdColumns(rt, crd) : (COLUMNS[`${rt.group}/${rt.kind}`] ?? [nameCol, ageCol]);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: cols.map((c) => c.cell(o) ?? null),
      ...(includeObject === 'None'
        ? {}
        : {
            object:
              includeObject === 'Object'
                ? o
                : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
          }),
    })),
  };
}

/** The Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.includes('as=Table') && accept.includes('g=meta.k8s.io');
}
