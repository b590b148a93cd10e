export * from './oidc-test-provider.js';
