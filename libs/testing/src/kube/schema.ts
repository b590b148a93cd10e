/**
 * Just enough structural schema to merge objects the way Kubernetes does: which lists are
 * associative (and by which keys), which are sets, which maps are atomic. Server-side apply
 * (managedFields) and strategic merge patch both read it. Anything not described here is
 * treated as Kubernetes treats untyped data: objects are granular maps, lists are atomic.
 */
export interface SchemaNode {
  /** Known fields of a struct. */
  fields?: Record<string, SchemaNode>;
  /** Schema of every value of a map (additionalProperties). */
  additional?: SchemaNode;
  /** Schema of list elements. */
  items?: SchemaNode;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /** A struct or map that is replaced as a whole (x-kubernetes-map-type: atomic). */
  atomic?: boolean;
  /** Strategic merge patch merge key when it differs from listMapKeys[0]. */
  patchMergeKey?: string;
  /** Strategic merge patch: replace the list even though it is associative in SSA. */
  patchReplace?: boolean;
}

export function childSchema(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!node) return undefined;
  return node.fields?.[key] ?? node.additional;
}

/** The key by which strategic merge patch merges a list, if it does. */
export function patchMergeKey(node: SchemaNode | undefined): string | undefined {
  if (!node || node.patchReplace) return undefined;
  if (node.patchMergeKey) return node.patchMergeKey;
  if (node.listType === 'map') return node.listMapKeys?.[0];
  return undefined;
}

const mapList = (keys: string[], items?: SchemaNode, extra: Partial<SchemaNode> = {}): SchemaNode => ({
  listType: 'map',
  listMapKeys: keys,
  items,
  ...extra,
});
const setList: SchemaNode = { listType: 'set' };
const atomicMap: SchemaNode = { atomic: true };
const conditions = mapList(['type']);

export const objectMetaSchema: SchemaNode = {
  fields: {
    finalizers: setList,
    ownerReferences: mapList(['uid']),
  },
};

const containerSchema: SchemaNode = {
  fields: {
    ports: mapList(['containerPort', 'protocol'], undefined, { patchMergeKey: 'containerPort' }),
    env: mapList(['name']),
    volumeMounts: mapList(['mountPath']),
    volumeDevices: mapList(['devicePath']),
    resizePolicy: mapList(['resourceName']),
  },
};

const podSpecSchema: SchemaNode = {
  fields: {
    containers: mapList(['name'], containerSchema),
    initContainers: mapList(['name'], containerSchema),
    ephemeralContainers: mapList(['name'], containerSchema),
    volumes: mapList(['name']),
    imagePullSecrets: mapList(['name']),
    hostAliases: mapList(['ip']),
    topologySpreadConstraints: mapList(['topologyKey', 'whenUnsatisfiable']),
    resourceClaims: mapList(['name']),
    schedulingGates: mapList(['name']),
    nodeSelector: {},
  },
};

const podTemplateSchema: SchemaNode = { fields: { metadata: objectMetaSchema, spec: podSpecSchema } };
const labelSelector = atomicMap;

const workloadStatus: SchemaNode = { fields: { conditions } };

function withMeta(node: SchemaNode): SchemaNode {
  return { fields: { metadata: objectMetaSchema, ...node.fields } };
}

/** Schemas of built-in kinds, by `group/Kind` (core group is empty). */
export const builtinSchemas: Record<string, SchemaNode> = {
  '/Pod': withMeta({ fields: { spec: podSpecSchema, status: { fields: { conditions } } } }),
  'apps/Deployment': withMeta({
    fields: {
      spec: { fields: { selector: labelSelector, template: podTemplateSchema } },
      status: workloadStatus,
    },
  }),
  'apps/ReplicaSet': withMeta({
    fields: {
      spec: { fields: { selector: labelSelector, template: podTemplateSchema } },
      status: workloadStatus,
    },
  }),
  'apps/StatefulSet': withMeta({
    fields: {
      spec: {
        fields: {
          selector: labelSelector,
          template: podTemplateSchema,
          volumeClaimTemplates: { listType: 'atomic' },
        },
      },
      status: workloadStatus,
    },
  }),
  'apps/DaemonSet': withMeta({
    fields: {
      spec: { fields: { selector: labelSelector, template: podTemplateSchema } },
      status: workloadStatus,
    },
  }),
  'batch/Job': withMeta({
    fields: {
      spec: { fields: { selector: labelSelector, template: podTemplateSchema } },
      status: workloadStatus,
    },
  }),
  'batch/CronJob': withMeta({
    fields: {
      spec: {
        fields: {
          jobTemplate: {
            fields: {
              metadata: objectMetaSchema,
              spec: { fields: { selector: labelSelector, template: podTemplateSchema } },
            },
          },
        },
      },
    },
  }),
  '/Service': withMeta({
    fields: {
      spec: {
        fields: { ports: mapList(['port', 'protocol'], undefined, { patchMergeKey: 'port' }), selector: {} },
      },
      status: { fields: { conditions } },
    },
  }),
  '/PersistentVolumeClaim': withMeta({ fields: { status: { fields: { conditions } } } }),
  '/Namespace': withMeta({ fields: { status: { fields: { conditions } } } }),
  '/ServiceAccount': withMeta({
    fields: { secrets: mapList(['name']), imagePullSecrets: { listType: 'atomic' } },
  }),
  'networking.k8s.io/NetworkPolicy': withMeta({
    fields: { spec: { fields: { podSelector: labelSelector } } },
  }),
  'apiextensions.k8s.io/CustomResourceDefinition': withMeta({
    fields: { status: { fields: { conditions } } },
  }),
};

export const defaultObjectSchema: SchemaNode = withMeta({});

/**
 * Converts a CRD's `openAPIV3Schema` to a SchemaNode (list types, map keys, atomic maps).
 * Only the structural hints matter here; validation is not attempted.
 */
export function schemaFromOpenAPI(openapi: unknown, top = true): SchemaNode {
  const node: SchemaNode = {};
  if (!openapi || typeof openapi !== 'object') return top ? defaultObjectSchema : node;
  const s = openapi as Record<string, unknown>;
  const props = s.properties as Record<string, unknown> | undefined;
  if (props && typeof props === 'object') {
    node.fields = {};
    for (const [key, value] of Object.entries(props)) node.fields[key] = schemaFromOpenAPI(value, false);
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    node.additional = schemaFromOpenAPI(s.additionalProperties, false);
  }
  if (s.items && typeof s.items === 'object') node.items = schemaFromOpenAPI(s.items, false);
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'map' || listType === 'set' || listType === 'atomic') node.listType = listType;
  const keys = s['x-kubernetes-list-map-keys'];
  if (Array.isArray(keys)) node.listMapKeys = keys.map(String);
  if (s['x-kubernetes-map-type'] === 'atomic') node.atomic = true;
  if (top) node.fields = { ...node.fields, metadata: objectMetaSchema };
  return node;
}
