import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface OidcTestUser {
  groups: string[];
  email?: string;
}

export interface OidcTestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface OidcTestProviderOptions {
  clients: OidcTestClient[];
  users: Record<string, OidcTestUser>;
}

/**
 * A real OpenID Connect provider (panva's oidc-provider, the certified implementation) on a
 * free loopback port, with a minimal login page instead of the library's development
 * interactions: the page asks only for a username, which is what tests need to play a user.
 */
export class OidcTestProvider {
  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(options: OidcTestProviderOptions): Promise<OidcTestProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: options.clients.map((client) => ({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      })),
      claims: { openid: ['sub'], profile: ['preferred_username', 'email'], groups: ['groups'] },
      scopes: ['openid', 'profile', 'groups'],
      conformIdTokenClaims: false,
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        IdToken: 600,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => {
        const user = options.users[sub];
        if (!user) return undefined;
        return {
          accountId: sub,
          claims: () => ({ sub, preferred_username: sub, email: user.email, groups: user.groups }),
        };
      },
    });
    const oidc = provider.callback();
    server.on('request', (req, res) => {
      const match = /^\/interaction\/([\w-]+)$/.exec(req.url ?? '');
      if (!match) return oidc(req, res);
      handleInteraction(provider, options.users, req, res).catch((error: Error) => {
        res.writeHead(500).end(error.message);
      });
    });
    return new OidcTestProvider(server, issuer);
  }

  /**
   * Plays the browser: follows the authorization URL through the provider's login page as
   * `username`, carrying cookies, and returns the redirect back to the client (with `code`).
   */
  async browserLogin(authorizationUrl: string, username: string): Promise<URL> {
    const cookies = new Map<string, string>();
    let url = new URL(authorizationUrl);
    let method = 'GET';
    let body: string | undefined;
    for (let hop = 0; hop < 10; hop++) {
      if (!url.href.startsWith(this.issuer)) return url;
      const response = await fetch(url, {
        method,
        body,
        redirect: 'manual',
        headers: {
          cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const [name, value] = pair.split('=');
        cookies.set(name, value);
      }
      const location = response.headers.get('location');
      if (location) {
        url = new URL(location, url);
        method = 'GET';
        body = undefined;
      } else if (response.status === 200 && url.pathname.startsWith('/interaction/')) {
        method = 'POST';
        body = new URLSearchParams({ username }).toString();
      } else {
        throw new Error(`OIDC login stopped at ${url.pathname} with HTTP ${response.status}`);
      }
    }
    throw new Error('OIDC login did not finish within 10 redirects');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function handleInteraction(
  provider: Provider,
  users: Record<string, OidcTestUser>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<form method="post"><input name="username"><button>Sign in</button></form>');
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const username = new URLSearchParams(Buffer.concat(chunks).toString()).get('username') ?? '';
  if (!users[username]) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'unknown user',
    });
    return;
  }
  // Consent is granted with the login: the test provider plays an organisation's IdP, where
  // first-party apps are pre-approved.
  const grant = new provider.Grant({ accountId: username, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  await provider.interactionFinished(req, res, {
    login: { accountId: username },
    consent: { grantId: await grant.save() },
  });
}
