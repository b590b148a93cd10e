import { OidcTestProvider } from '@flotilla/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHub } from './harness.js';

// The identity provider redirects the browser to this address; the test plays the browser
// and delivers that redirect to the hub itself, so the hub's port need not be known up front.
const REDIRECT = 'http://127.0.0.1:1/api/v1/auth/oidc/callback';

describe('OIDC single sign-on against a real OpenID provider', () => {
  let provider: OidcTestProvider;
  let hub: TestHub;

  beforeAll(async () => {
    provider = await OidcTestProvider.start({
      clients: [{ clientId: 'flotilla', clientSecret: 'flotilla-client-secret', redirectUris: [REDIRECT] }],
      users: {
        carol: { groups: ['sre'], email: 'carol@example.test' },
        dave: { groups: ['team-a-devs'] },
        alice: { groups: [] },
      },
    });
    hub = await TestHub.start({
      FLOTILLA_OIDC_ISSUER: provider.issuer,
      FLOTILLA_OIDC_CLIENT_ID: 'flotilla',
      FLOTILLA_OIDC_CLIENT_SECRET: 'flotilla-client-secret',
      FLOTILLA_OIDC_REDIRECT_URL: REDIRECT,
      FLOTILLA_OIDC_ALLOW_HTTP: 'true',
    });
    await hub.tenant('team-a');
    await hub.bind('team-a', 'group', 'team-a-devs', 'tenant-viewer');
  });
  afterAll(async () => {
    await hub?.stop();
    await provider?.stop();
  });

  /** Starts SSO at the hub, signs in at the provider as `username`, returns the hub's callback answer. */
  async function ssoLogin(username: string, query = ''): Promise<Response> {
    const start = await fetch(`${hub.url}/api/v1/auth/oidc/login${query}`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const callback = await provider.browserLogin(start.headers.get('location')!, username);
    expect(callback.href.startsWith(REDIRECT)).toBe(true);
    return fetch(`${hub.url}/api/v1/auth/oidc/callback${callback.search}`, {
      headers: { cookie },
      redirect: 'manual',
    });
  }

  it('signs a user in with authorization code + PKCE and maps the groups claim to hub groups', async () => {
    const answer = await ssoLogin('dave');
    expect(answer.status).toBe(200);
    const { accessToken } = (await answer.json()) as { accessToken: string };
    const me = await hub.call('GET', '/api/v1/me', { token: accessToken });
    expect(me.status).toBe(200);
    expect(me.body.name ?? me.body.username).toBe('dave');
    // The group binding made before dave ever signed in now applies to him.
    const tenant = await hub.call('GET', '/api/v1/tenants/team-a', { token: accessToken });
    expect(tenant.status).toBe(200);
    const users = await hub.sql("SELECT source FROM hub_user WHERE username = 'dave'");
    expect(users).toEqual([{ source: 'oidc' }]);
  });

  it('hands the token to a loopback listener when the CLI started the login', async () => {
    const answer = await ssoLogin('carol', `?redirect=${encodeURIComponent('http://127.0.0.1:9/cli')}`);
    expect(answer.status).toBe(302);
    const target = new URL(answer.headers.get('location')!);
    expect(target.origin + target.pathname).toBe('http://127.0.0.1:9/cli');
    const me = await hub.call('GET', '/api/v1/me', { token: target.searchParams.get('access_token') });
    expect(me.status).toBe(200);
  });

  it('refuses to redirect a token anywhere but a loopback address', async () => {
    const answer = await fetch(
      `${hub.url}/api/v1/auth/oidc/login?redirect=${encodeURIComponent('https://evil.example/steal')}`,
      { redirect: 'manual' },
    );
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { detail: string }).detail).toMatch(/redirect/);
  });

  it('never lets an SSO identity take over a local account of the same name', async () => {
    await hub.user('alice');
    const answer = await ssoLogin('alice');
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { detail: string }).detail).toMatch(/local account/);
  });

  it('refuses a callback whose login state cookie is missing or forged', async () => {
    const start = await fetch(`${hub.url}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    const callback = await provider.browserLogin(start.headers.get('location')!, 'carol');
    const forged = await fetch(`${hub.url}/api/v1/auth/oidc/callback${callback.search}`, {
      headers: { cookie: 'flotilla_oidc=eyJ4IjoxfQ.forged' },
    });
    expect(forged.status).toBe(401);
    const audit = await hub.sql(
      "SELECT outcome FROM audit_event WHERE action = 'auth:sso-login' ORDER BY id DESC LIMIT 1",
    );
    expect(audit[0]?.outcome).toBe('denied');
  });
});
