export type { KubeObject, ObjectMeta, ObjectId, ObjectSource, SourcedObject } from './types.js';
export { ManifestError, BundleError, type ManifestErrorLocation } from './errors.js';
export {
  dnsLabelProblem,
  dnsSubdomainProblem,
  labelKeyProblem,
  labelValueProblem,
  pathSegmentNameProblem,
} from './names.js';
export { validateObject } from './validate-object.js';
export { parseManifests, DEFAULT_PARSE_LIMITS, type ManifestFile, type ParseLimits } from './parse.js';
export { objectId, objectKey, splitApiVersion } from './identify.js';
export { assertUniqueObjects } from './unique.js';
export { isClusterScoped, clusterScopedKindsFromCrds, scopeResolver, groupKind } from './scope.js';
export {
  normalise,
  BINDING_LABEL,
  TENANT_LABEL,
  OWNER_ANNOTATION,
  type NormaliseOptions,
  type Ownership,
} from './normalise.js';
export { sortForApply, sortForPrune, applyClassifier } from './sort.js';
export { canonicalJson, jsonProblem } from './canonicalise.js';
export { digestOf, DIGEST_PATTERN } from './digest.js';
export {
  createBundle,
  readBundle,
  bundleSchema,
  kubeObjectSchema,
  BUNDLE_FORMAT_VERSION,
  type Bundle,
  type CreatedBundle,
} from './bundle.js';
export { generateSigningKeyPair, signBundle, verifyBundle, type SigningKeyPair } from './sign.js';
export { diffObjects, REDACTED, type Drift } from './diff.js';
