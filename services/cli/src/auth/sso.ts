import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError, ExitCode } from '../errors.js';

const SSO_TIMEOUT_MS = 5 * 60_000;

const page = (message: string) =>
  `<!doctype html><meta charset="utf-8"><title>Flotilla</title><p style="font-family:sans-serif">${message}</p>`;

/**
 * Single sign-on the way `gh` and `argocd` do it: a one-shot listener on 127.0.0.1, the hub's
 * OIDC login told to send the browser back to it, the access token read from the query.
 */
export async function ssoLogin(
  server: string,
  options: { open: (url: string) => void; announce: (url: string) => void; timeoutMs?: number },
): Promise<string> {
  let deliver!: (token: string) => void;
  let fail!: (error: Error) => void;
  const received = new Promise<string>((resolve, reject) => {
    deliver = resolve;
    fail = reject;
  });
  const listener = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    const token = url.searchParams.get('access_token');
    const error = url.searchParams.get('error_description') ?? url.searchParams.get('error');
    res.writeHead(token ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    res.end(
      page(token ? 'Logged in to Flotilla. You can close this window.' : 'Login failed. Check the terminal.'),
    );
    if (token) deliver(token);
    else
      fail(
        new CliError(
          `single sign-on failed: ${error ?? 'no access token in the callback'}`,
          ExitCode.notLoggedIn,
        ),
      );
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  const redirect = `http://127.0.0.1:${port}/callback`;
  const loginUrl = `${server}/api/v1/auth/oidc/login?redirect=${encodeURIComponent(redirect)}`;
  options.announce(loginUrl);
  options.open(loginUrl);
  const timer = setTimeout(
    () => fail(new CliError('single sign-on timed out: no callback within 5 minutes', ExitCode.notLoggedIn)),
    options.timeoutMs ?? SSO_TIMEOUT_MS,
  );
  try {
    return await received;
  } finally {
    clearTimeout(timer);
    listener.closeAllConnections();
    listener.close();
  }
}

/** Best effort: the URL is printed as well, for machines without a browser. */
export function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
