import { ManifestError } from './errors.js';
import { objectKey } from './identify.js';
import type { SourcedObject } from './types.js';

/** Refuses two objects with the same identity: the apply order would silently pick one. */
export function assertUniqueObjects(objects: readonly SourcedObject[]): void {
  const seen = new Map<string, SourcedObject>();
  for (const sourced of objects) {
    const key = objectKey(sourced.object);
    const first = seen.get(key);
    if (first) {
      const { path, documentIndex } = first.source;
      throw new ManifestError(
        sourced.source,
        `duplicate object ${key} (first defined in ${path}, document ${documentIndex})`,
      );
    }
    seen.set(key, sourced);
  }
}
