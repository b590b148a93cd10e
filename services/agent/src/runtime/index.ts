export { AgentRuntime, type AgentRuntimeOptions, type HubLink } from './agent-runtime.js';
export { DriftWatches, type DriftWatchesOptions } from './drift-watches.js';
