import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcTestProvider } from './oidc-test-provider.js';

describe('OidcTestProvider', () => {
  let provider: OidcTestProvider;
  const redirectUri = 'http://127.0.0.1:1/callback';

  beforeAll(async () => {
    provider = await OidcTestProvider.start({
      clients: [{ clientId: 'hub', clientSecret: 'hub-secret', redirectUris: [redirectUri] }],
      users: { carol: { groups: ['platform', 'team-a-devs'], email: 'carol@example.test' } },
    });
  });
  afterAll(() => provider.stop());

  async function authorize(config: client.Configuration, verifier: string) {
    return client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile groups',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'xyz',
    });
  }

  it('runs the authorization code flow with PKCE and returns the groups claim', async () => {
    const config = await client.discovery(new URL(provider.issuer), 'hub', 'hub-secret', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const callback = await provider.browserLogin((await authorize(config, verifier)).href, 'carol');
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'xyz',
    });
    const claims = tokens.claims();
    expect(claims?.sub).toBe('carol');
    expect(claims?.groups).toEqual(['platform', 'team-a-devs']);
  });

  it('refuses an unknown user', async () => {
    const config = await client.discovery(new URL(provider.issuer), 'hub', 'hub-secret', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const callback = await provider.browserLogin(
      (await authorize(config, client.randomPKCECodeVerifier())).href,
      'mallory',
    );
    expect(callback.searchParams.get('error')).toBe('access_denied');
  });
});
