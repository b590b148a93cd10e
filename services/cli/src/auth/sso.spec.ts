import { describe, expect, it } from 'vitest';
import { ExitCode } from '../errors.js';
import { ssoLogin } from './sso.js';

/** Plays the browser: follows the login URL's redirect parameter back to the listener. */
const browser = (query: string) => (loginUrl: string) => {
  const redirect = new URL(loginUrl).searchParams.get('redirect')!;
  void fetch(`${redirect}?${query}`);
};

describe('SSO loopback login', () => {
  it('asks the hub to redirect to a 127.0.0.1 listener and takes the token it receives', async () => {
    let announced = '';
    const token = await ssoLogin('https://hub.example.com', {
      open: browser('access_token=jwt-123'),
      announce: (u) => (announced = u),
    });
    expect(token).toBe('jwt-123');
    expect(announced).toMatch(
      /^https:\/\/hub\.example\.com\/api\/v1\/auth\/oidc\/login\?redirect=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcallback$/,
    );
  });

  it('fails with exit code 3 when the callback carries an error, or nothing comes', async () => {
    await expect(
      ssoLogin('https://h', { open: browser('error=access_denied'), announce: () => {} }),
    ).rejects.toMatchObject({
      exitCode: ExitCode.notLoggedIn,
      message: 'single sign-on failed: access_denied',
    });
    await expect(
      ssoLogin('https://h', { open: () => {}, announce: () => {}, timeoutMs: 30 }),
    ).rejects.toThrow(/timed out/);
  });
});
