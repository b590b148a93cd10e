/** Version of the hub⇄agent wire protocol spoken by this build. */
export const PROTOCOL_VERSION = 1;

/** Oldest agent protocol the hub still serves; raise it when an old shape is dropped. */
export const MIN_SUPPORTED_PROTOCOL_VERSION = 1;

export const SUPPORTED_PROTOCOL_VERSIONS = {
  min: MIN_SUPPORTED_PROTOCOL_VERSION,
  max: PROTOCOL_VERSION,
} as const;

export type Negotiation =
  { result: 'ok'; version: number } | { result: 'too-old' | 'too-new'; message: string };

/** Decides whether the hub can talk to an agent that speaks `agentVersion`. */
export function negotiate(
  agentVersion: number,
  supported: { min: number; max: number } = SUPPORTED_PROTOCOL_VERSIONS,
): Negotiation {
  if (!Number.isInteger(agentVersion) || agentVersion < 1) {
    throw new RangeError(`protocol version must be a positive integer, got ${String(agentVersion)}`);
  }
  const { min, max } = supported;
  if (agentVersion < min) {
    return {
      result: 'too-old',
      message: `agent speaks protocol ${agentVersion}, hub needs ${min}..${max}: upgrade the agent`,
    };
  }
  if (agentVersion > max) {
    return {
      result: 'too-new',
      message: `agent speaks protocol ${agentVersion}, hub supports up to ${max}: upgrade the hub`,
    };
  }
  return { result: 'ok', version: agentVersion };
}
