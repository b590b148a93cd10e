/** A Kubernetes object as read from a manifest: only the fields Flotilla relies on are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  [field: string]: unknown;
}

/** Where an object came from, so every later error can point the author at the right place. */
export interface ObjectSource {
  path: string;
  /** Zero-based index of the YAML document within the file (0 for JSON files). */
  documentIndex: number;
  /** One-based line where the document (or the `kind: List` item) starts. */
  line: number;
  /** Zero-based index inside `items` when the object came from a `kind: List`. */
  itemIndex?: number;
}

export interface SourcedObject {
  object: KubeObject;
  source: ObjectSource;
}

export interface ObjectId {
  /** API group; `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}
