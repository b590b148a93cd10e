import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { TestRepo } from './test-repo.js';

/** Basic auth (username + password) or a token (sent as the Basic password, or as a Bearer token). */
export type GitServerAuth = { username: string; password: string } | { token: string };

export interface GitTestServerOptions {
  auth?: GitServerAuth;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Returns the authenticated user name, or undefined when the request's credentials do not match. */
function authenticate(auth: GitServerAuth, header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(' ', 2);
  if ('token' in auth && scheme?.toLowerCase() === 'bearer') {
    return safeEqual(value, auth.token) ? 'token' : undefined;
  }
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if ('token' in auth) return safeEqual(password, auth.token) ? user || 'token' : undefined;
  return safeEqual(user, auth.username) && safeEqual(password, auth.password) ? user : undefined;
}

/**
 * A real Git smart-HTTP server for tests: Node's HTTP server runs `git http-backend` as a CGI
 * program per request, so clients see exactly what a production Git host would serve.
 */
export class GitTestServer {
  private constructor(
    private readonly server: Server,
    private readonly root: string,
    readonly baseUrl: string,
    private readonly repos: TestRepo[],
  ) {}

  static async start(options: GitTestServerOptions = {}): Promise<GitTestServer> {
    const root = await mkdtemp(join(tmpdir(), 'flotilla-git-server-'));
    const server = createServer((req, res) => handle(root, options.auth, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new GitTestServer(server, root, `http://127.0.0.1:${port}`, []);
  }

  /** Creates a bare repository `<name>.git` served at `${baseUrl}/<name>.git`. */
  async createRepo(name: string): Promise<TestRepo> {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.'))
      throw new Error(`invalid test repository name: ${name}`);
    const repo = await TestRepo.create(join(this.root, `${name}.git`), `${this.baseUrl}/${name}.git`);
    this.repos.push(repo);
    return repo;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all(this.repos.map((repo) => repo.dispose()));
    await rm(this.root, { recursive: true, force: true });
  }
}

function handle(
  root: string,
  auth: GitServerAuth | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  let remoteUser: string | undefined;
  if (auth) {
    remoteUser = authenticate(auth, req.headers.authorization);
    if (!remoteUser) {
      res.writeHead(401, {
        'WWW-Authenticate': 'Basic realm="flotilla-test-git"',
        'Content-Type': 'text/plain',
      });
      res.end('authentication required\n');
      return;
    }
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  let pathInfo: string;
  try {
    pathInfo = decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('malformed path\n');
    return;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: root,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: pathInfo,
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
  if (remoteUser) env.REMOTE_USER = remoteUser;

  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined); // the backend may exit before reading the whole body
  child.stderr.resume();
  child.on('error', (error) => {
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`git http-backend failed: ${error.message}\n`);
  });
  forwardCgiResponse(child.stdout, res);
}

/** CGI output is `Header: value` lines, a blank line, then the body; `Status:` sets the HTTP status. */
function forwardCgiResponse(stdout: NodeJS.ReadableStream, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const separator = end === crlf ? 4 : 2;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    headersDone = true;
    const rest = head.subarray(end + separator);
    if (rest.length > 0) res.write(rest);
  });
  stdout.on('end', () => {
    if (!headersDone) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end();
  });
}
