export interface ManifestErrorLocation {
  path: string;
  documentIndex?: number;
  itemIndex?: number;
  line?: number;
  /** Dotted field path inside the document, e.g. `metadata.labels`. */
  field?: string;
}

/** A manifest that cannot be accepted; the message names file, document, field and reason. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';

  constructor(
    readonly location: ManifestErrorLocation,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${describeLocation(location)}: ${reason}`, options);
  }
}

function describeLocation(location: ManifestErrorLocation): string {
  const parts = [location.path];
  if (location.documentIndex !== undefined) parts.push(`document ${location.documentIndex}`);
  if (location.itemIndex !== undefined) parts.push(`items[${location.itemIndex}]`);
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.field !== undefined) parts.push(`field ${location.field}`);
  return parts.join(', ');
}

/** A bundle that is malformed (not a signature failure: verification returns false for that). */
export class BundleError extends Error {
  override readonly name = 'BundleError';
}
