/** Version of this agent build, sent in hello, heartbeats and registration. */
export const AGENT_VERSION = '0.1.0';
