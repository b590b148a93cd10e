export { startNatsServer, type NatsTestServer, type StartNatsServerOptions } from './server.js';
export type { NatsServerPaths, OperatorModeJwts } from './config.js';
