export { connectAgent, type ConnectAgentOptions } from './connect.js';
export { AgentChannel, type AgentChannelOptions } from './agent-channel.js';
export { HubUnavailableError } from './hub-request.js';
