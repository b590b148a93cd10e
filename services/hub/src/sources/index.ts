export { SourceError, type SourceErrorCode } from './errors.js';
export { type GitCredentials, scrub, secretsOf, toOnAuth } from './credentials.js';
export {
  checkRepositoryUrl,
  displayUrl,
  isAllowedHost,
  isInternalAddress,
  type LookupAll,
  type UrlPolicyOptions,
} from './url-policy.js';
export {
  checkRefName,
  GitFetcher,
  type FetchRequest,
  type FetchResult,
  type GitFetcherOptions,
} from './git-fetcher.js';
export {
  DEFAULT_RENDER_LIMITS,
  normaliseRepoPath,
  type RenderLimits,
  type SkippedEntry,
} from './tree-walk.js';
export {
  kustomizeOutputPath,
  renderPath,
  type RenderRequest,
  type RenderResult,
  type RenderedFile,
} from './render.js';
export { scanForSecrets, type SecretFinding } from './secret-scan.js';
export {
  verifyCommitPayload,
  verifyCommitSignature,
  type CommitSignatureRequest,
  type SignatureVerdict,
} from './signature.js';
export {
  DeliveryReplayGuard,
  MAX_WEBHOOK_BODY_BYTES,
  WebhookError,
  parsePushEvent,
  repositoryKey,
  verifyWebhookSignature,
  type PushEvent,
  type WebhookHeaders,
  type WebhookProvider,
  type WebhookVerdict,
} from './webhooks.js';
