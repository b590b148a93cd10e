import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { SourceError } from './errors.js';
import { hasControlCharacters } from './chars.js';

export interface UrlPolicyOptions {
  /**
   * `host:port` (or `host`, meaning the scheme's default port) entries, optionally prefixed with
   * `http://` or `https://` (FLOTILLA_GIT_ALLOWED_HOSTS). An allowed host may use plain http and
   * may resolve to private addresses (an in-house Git server).
   */
  allowedHosts: readonly string[];
}

export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Addresses a repository URL must never reach unless allowed: they point into our own network.
 * Two lists, because an IPv6 list containing ::ffff:0:0/96 would match every IPv4 address.
 */
const internalV4 = new BlockList();
const internalV6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internalV4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96], // IPv4-mapped: would reach any IPv4 address, internal ones included
  ['64:ff9b::', 96], // NAT64
  ['100::', 64],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internalV6.addSubnet(net, prefix, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: never trust it
  return family === 4 ? internalV4.check(address, 'ipv4') : internalV6.check(address, 'ipv6');
}

function defaultPort(protocol: string): string {
  return protocol === 'http:' ? '80' : '443';
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** `host:port` key of a URL, as used in the allow list. */
function hostKey(url: URL): string {
  return `${url.hostname.toLowerCase()}:${url.port || defaultPort(url.protocol)}`;
}

function allowedKeys(allowedHosts: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const entry of allowedHosts) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    const hasScheme = /^https?:\/\//i.test(trimmed);
    const parsed = new URL(hasScheme ? trimmed : `https://${trimmed}`);
    if (parsed.port || hasScheme) keys.add(hostKey(parsed));
    else for (const port of ['443', '80']) keys.add(`${parsed.hostname.toLowerCase()}:${port}`);
  }
  return keys;
}

export function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  return allowedKeys(allowedHosts).has(hostKey(url));
}

/** The URL without userinfo, query or fragment — safe to put in messages. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Accepts a repository URL only if fetching it cannot be turned against the hub: https only
 * (http for allowed hosts), no transport helpers or option injection, no credentials in the
 * URL, and no host that resolves into loopback/private/link-local space unless allowed.
 */
export async function checkRepositoryUrl(
  raw: string,
  options: UrlPolicyOptions,
  lookup: LookupAll = defaultLookup,
): Promise<URL> {
  const refuse = (why: string) => new SourceError('url_refused', `repository URL refused: ${why}`);
  if (raw.startsWith('-')) throw refuse('it starts with "-" and would be read as a command-line option');
  if (hasControlCharacters(raw) || /\s/.test(raw))
    throw refuse('it contains whitespace or control characters');
  if (/^[a-z][a-z0-9+.-]*::/i.test(raw))
    throw refuse('transport helper URLs ("ext::", "fd::", …) are not allowed');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('not an absolute URL (scp-style "user@host:path" is not supported; use https://)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw refuse(`scheme "${url.protocol.slice(0, -1)}" is not allowed; use https://`);
  }
  if (url.username || url.password) {
    throw refuse('credentials embedded in the URL are not allowed; store them as repository credentials');
  }
  const allowed = isAllowedHost(url, options.allowedHosts);
  if (url.protocol === 'http:' && !allowed) {
    throw refuse(
      `plain http is only allowed for hosts in FLOTILLA_GIT_ALLOWED_HOSTS (${hostKey(url)} is not)`,
    );
  }
  if (allowed) return url;
  const hostname = stripBrackets(url.hostname);
  let addresses: Array<{ address: string }>;
  try {
    addresses = isIP(hostname) ? [{ address: hostname }] : await lookup(hostname);
  } catch {
    throw refuse(`host ${hostname} could not be resolved`);
  }
  if (addresses.length === 0) throw refuse(`host ${hostname} has no addresses`);
  const blocked = addresses.find((entry) => isInternalAddress(entry.address));
  if (blocked) {
    throw refuse(
      `host ${hostname} resolves to ${blocked.address}, a loopback/private/link-local address; ` +
        `add ${hostKey(url)} to FLOTILLA_GIT_ALLOWED_HOSTS if this is an internal Git server`,
    );
  }
  return url;
}
