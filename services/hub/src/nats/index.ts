export { NatsAuthority, type ServiceCredentials } from './nats-authority.js';
export type { UserCredentials } from './claims.js';
export type { NatsKeyMaterialJSON } from './key-material.js';
export { ClaimsUpdateError } from './claims-update.js';
export { ensureJetStreamResources, type JetStreamResourceOptions } from './jetstream-resources.js';
export type { ServerConfigPaths } from './server-config.js';
