import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.FLOTILLA_PORT).toBe(8080);
    expect(config.FLOTILLA_DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/flotilla');
    expect(config.FLOTILLA_NATS_URL).toBeUndefined(); // managed NATS unless a URL is given
  });

  it('accepts explicit valid values', () => {
    const config = loadConfig({
      FLOTILLA_PORT: '9090',
      FLOTILLA_DATABASE_URL: 'postgresql://hub:pw@db.internal:5433/hub',
      FLOTILLA_NATS_URL: 'tls://nats.internal:4222',
      FLOTILLA_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({ FLOTILLA_PORT: 9090, FLOTILLA_LOG_LEVEL: 'debug' });
    expect(loadConfig({ FLOTILLA_NATS_URL: 'nats://127.0.0.1:4222' }).FLOTILLA_NATS_URL).toBe(
      'nats://127.0.0.1:4222',
    );
  });

  it.each([
    ['FLOTILLA_PORT', 'eighty'],
    ['FLOTILLA_PORT', '70000'],
    ['FLOTILLA_DATABASE_URL', 'mysql://localhost/x'],
    ['FLOTILLA_NATS_URL', 'not a url'],
    ['FLOTILLA_ADMIN_PASSWORD', 'short'],
    ['FLOTILLA_JWT_SECRET', 'too-short'],
    ['FLOTILLA_LOG_LEVEL', 'loud'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('does not echo a rejected secret', () => {
    expect(() => loadConfig({ FLOTILLA_JWT_SECRET: 'hunter2-secret' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it('requires the SSO client settings as a set once an issuer is configured', () => {
    expect(() => loadConfig({ FLOTILLA_OIDC_ISSUER: 'https://sso.example.test' })).toThrow(
      /FLOTILLA_OIDC_CLIENT_ID: required[\s\S]*FLOTILLA_OIDC_REDIRECT_URL: required/,
    );
    const config = loadConfig({
      FLOTILLA_OIDC_ISSUER: 'https://sso.example.test',
      FLOTILLA_OIDC_CLIENT_ID: 'flotilla',
      FLOTILLA_OIDC_REDIRECT_URL: 'https://hub.example.test/api/v1/auth/oidc/callback',
    });
    expect(config.FLOTILLA_OIDC_ALLOW_HTTP).toBe(false);
  });
});
