import { assertUniqueObjects } from './unique.js';
import { dnsLabelProblem, labelValueProblem } from './names.js';
import { scopeResolver } from './scope.js';
import type { KubeObject, SourcedObject } from './types.js';

export const BINDING_LABEL = 'flotilla.dev/binding';
export const TENANT_LABEL = 'flotilla.dev/tenant';
export const OWNER_ANNOTATION = 'flotilla.dev/owner';

export interface Ownership {
  bindingId: string;
  tenant: string;
  bindingName: string;
}

export interface NormaliseOptions {
  /** Target namespace for namespaced objects that name none. */
  namespace: string;
  ownership: Ownership;
  /** Further cluster-scoped kinds (`group/Kind`), e.g. CRDs already installed on the cluster. */
  extraClusterScoped?: Iterable<string>;
}

// Written by the API server; sending them back would conflict or be ignored.
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

/**
 * Turns parsed objects into the desired state Flotilla applies: target namespace filled in
 * (objects that name a namespace keep it — policy decides whether that is allowed),
 * ownership labels and annotation set (overwriting any in the source, so a manifest cannot
 * claim another owner), status and server-populated metadata dropped. Secret `stringData`
 * is kept as written: the API server folds it into `data`. Inputs are not modified.
 */
export function normalise(objects: readonly SourcedObject[], options: NormaliseOptions): SourcedObject[] {
  assertOptions(options);
  const isClusterScoped = scopeResolver(
    objects.map((sourced) => sourced.object),
    options.extraClusterScoped,
  );
  const normalised = objects.map((sourced) => ({
    ...sourced,
    object: normaliseObject(sourced.object, isClusterScoped(sourced.object), options),
  }));
  // Filling in the namespace can make two objects the same one.
  assertUniqueObjects(normalised);
  return normalised;
}

function normaliseObject(object: KubeObject, clusterScoped: boolean, options: NormaliseOptions): KubeObject {
  const { status: _status, ...copy } = structuredClone(object);
  const metadata = copy.metadata;
  for (const field of SERVER_METADATA) delete metadata[field];
  if (clusterScoped) delete metadata.namespace;
  else metadata.namespace ??= options.namespace;
  const { bindingId, tenant, bindingName } = options.ownership;
  metadata.labels = { ...metadata.labels, [BINDING_LABEL]: bindingId, [TENANT_LABEL]: tenant };
  metadata.annotations = { ...metadata.annotations, [OWNER_ANNOTATION]: `${tenant}/${bindingName}` };
  return copy as KubeObject;
}

function assertOptions({ namespace, ownership }: NormaliseOptions): void {
  const problems = [
    ['namespace', dnsLabelProblem(namespace)],
    ['ownership.bindingId', labelValueProblem(ownership.bindingId) ?? emptyProblem(ownership.bindingId)],
    ['ownership.tenant', labelValueProblem(ownership.tenant) ?? emptyProblem(ownership.tenant)],
    ['ownership.bindingName', emptyProblem(ownership.bindingName)],
  ].filter(([, problem]) => problem !== undefined);
  if (problems.length > 0)
    throw new RangeError(`invalid normalise options: ${problems.map(([f, p]) => `${f}: ${p}`).join('; ')}`);
}

function emptyProblem(value: string): string | undefined {
  return value === '' ? 'must not be empty' : undefined;
}
