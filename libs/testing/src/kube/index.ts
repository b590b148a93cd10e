export { KubeTestServer } from './server.js';
export type { KubeTestServerOptions, KubeTestServerStats } from './server.js';
export { FaultInjector } from './faults.js';
export type { FaultSpec, FaultMatch } from './faults.js';
export type { KubeObject, UserInfo } from './types.js';
export type { TokenIdentity } from './authn.js';
export { Kubectl } from './kubectl.js';
export type { KubectlResult } from './kubectl.js';
