import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.js';

describe('LoginLimiter', () => {
  it('blocks a key after the limit and lets it try again when the window passes', () => {
    let now = 0;
    const limiter = new LoginLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) limiter.fail('alice|1.2.3.4');
    expect(limiter.retryAfter('alice|1.2.3.4')).toBe(60);
    expect(limiter.retryAfter('alice|5.6.7.8')).toBe(0);
    now = 60_001;
    expect(limiter.retryAfter('alice|1.2.3.4')).toBe(0);
  });

  it('forgets failures after a success', () => {
    const limiter = new LoginLimiter(2, 60_000);
    limiter.fail('k');
    limiter.succeed('k');
    limiter.fail('k');
    expect(limiter.retryAfter('k')).toBe(0);
  });
});
