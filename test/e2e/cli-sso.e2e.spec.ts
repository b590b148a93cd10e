import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OidcTestProvider } from '@flotilla/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, startCli } from './cli-process.js';
import { TestHub } from '../../services/hub/test/harness.js';

// `flotilla login --sso` end to end: the real CLI, the real hub, a real OpenID provider; the
// test plays the browser (no browser runs here), following the URL the CLI prints.
const REDIRECT = 'http://127.0.0.1:1/api/v1/auth/oidc/callback';

describe('flotilla login --sso', () => {
  let provider: OidcTestProvider;
  let hub: TestHub;
  let dir: string;

  beforeAll(async () => {
    provider = await OidcTestProvider.start({
      clients: [{ clientId: 'flotilla', clientSecret: 'flotilla-client-secret', redirectUris: [REDIRECT] }],
      users: { dana: { groups: ['team-a-devs'] } },
    });
    hub = await TestHub.start({
      FLOTILLA_OIDC_ISSUER: provider.issuer,
      FLOTILLA_OIDC_CLIENT_ID: 'flotilla',
      FLOTILLA_OIDC_CLIENT_SECRET: 'flotilla-client-secret',
      FLOTILLA_OIDC_REDIRECT_URL: REDIRECT,
      FLOTILLA_OIDC_ALLOW_HTTP: 'true',
    });
    dir = await mkdtemp(join(tmpdir(), 'flotilla-cli-sso-'));
  });
  afterAll(async () => {
    await hub?.stop();
    await provider?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // No xdg-open on the PATH: the test is the browser.
  const cli = (args: string[]) => startCli(args, join(dir, 'config.json'), { PATH: '/nonexistent' });

  it('signs in through the identity provider and stores the context', async () => {
    const login = cli(['login', hub.url, '--sso', '--context', 'sso']);
    let announced = '';
    const url = await new Promise<string>((resolve) =>
      login.stderr.on('data', (chunk: Buffer) => {
        announced += chunk.toString();
        const found = /(http:\/\/\S+\/api\/v1\/auth\/oidc\/login\?\S+)/.exec(announced);
        if (found) resolve(found[1]!);
      }),
    );
    const done = finished(login);

    // The browser: the hub's login redirect (with its state cookie), the provider's login
    // page as dana, the provider's redirect delivered to the hub, and the hub's redirect
    // delivered to the CLI's loopback listener.
    const start = await fetch(url, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const callback = await provider.browserLogin(start.headers.get('location')!, 'dana');
    const toCli = await fetch(`${hub.url}/api/v1/auth/oidc/callback${callback.search}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    expect(toCli.status).toBe(302);
    const landing = await fetch(toCli.headers.get('location')!);
    expect(await landing.text()).toContain('Logged in to Flotilla');

    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(/eyJ[\w-]+\.[\w-]+/); // the token is never printed
    const me = await finished(cli(['me', '-o', 'json']));
    expect(me.code).toBe(0);
    expect(me.stdout).toContain('dana');
  });
});
