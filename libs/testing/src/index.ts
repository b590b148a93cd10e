export * from './kube/index.js';
export * from './nats/index.js';
export * from './git/index.js';
export * from './oidc/index.js';
export * from './free-port.js';
