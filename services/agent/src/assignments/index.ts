export { AssignmentCache, type StoredBundle } from './assignment-cache.js';
export { AssignmentSource, type AssignmentLink, type AssignmentSourceOptions } from './assignment-source.js';
export { BundleSource, BundleUnavailableError, type BundleLink } from './bundle-source.js';
export { tenantLimits } from './tenant-limits.js';
