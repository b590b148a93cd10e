import { describe, expect, it } from 'vitest';
import { negotiate, PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from './version.js';

describe('negotiate', () => {
  it('accepts every version in the supported range', () => {
    for (let v = SUPPORTED_PROTOCOL_VERSIONS.min; v <= SUPPORTED_PROTOCOL_VERSIONS.max; v++) {
      expect(negotiate(v)).toEqual({ result: 'ok', version: v });
    }
    expect(SUPPORTED_PROTOCOL_VERSIONS.max).toBe(PROTOCOL_VERSION);
  });

  it('tells the agent to upgrade when it is newer than the hub', () => {
    const outcome = negotiate(PROTOCOL_VERSION + 1);
    expect(outcome.result).toBe('too-new');
    expect(outcome).toMatchObject({ message: expect.stringContaining('upgrade the hub') });
  });

  it('tells the agent to upgrade when it is older than the supported minimum', () => {
    const outcome = negotiate(1, { min: 2, max: 3 });
    expect(outcome.result).toBe('too-old');
    expect(outcome).toMatchObject({ message: expect.stringContaining('upgrade the agent') });
  });

  it('rejects something that is not a protocol version', () => {
    expect(() => negotiate(0)).toThrow(/positive integer/);
    expect(() => negotiate(1.5)).toThrow(/positive integer/);
  });
});
