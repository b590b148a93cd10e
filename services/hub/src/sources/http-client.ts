import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { SourceError } from './errors.js';
import { isAllowedHost, isInternalAddress } from './url-policy.js';

export interface GitHttpClientOptions {
  allowedHosts: readonly string[];
  /** Aborts every request of one fetch at the deadline. */
  signal: AbortSignal;
  /** Cap on the bytes of one response (the pack file), against hostile repositories. */
  maxResponseBytes: number;
}

/**
 * Resolves like dns.lookup but refuses internal addresses at connect time, so a host that
 * passed the URL policy cannot re-resolve (DNS rebinding) into the hub's own network.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const blocked = addresses.find((entry) => isInternalAddress(entry.address));
    if (blocked) {
      return callback(
        Object.assign(new Error(`${hostname} resolved to internal address ${blocked.address}`), {
          code: 'EACCES',
        }),
        '',
        0,
      );
    }
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses;
    return callback(null, first!.address, first!.family);
  });
};

async function collect(body: GitHttpRequest['body']): Promise<Buffer | undefined> {
  if (!body) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* limited(res: IncomingMessage, maxBytes: number): AsyncIterableIterator<Uint8Array> {
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      res.destroy();
      throw new SourceError(
        'limit_exceeded',
        `repository download exceeds the limit of ${maxBytes} bytes (maxPackBytes)`,
      );
    }
    yield chunk;
  }
}

/**
 * isomorphic-git HTTP transport on node:http(s): never follows redirects (a redirect could point
 * anywhere), checks resolved addresses, enforces the fetch deadline and a response size cap.
 */
export function createGitHttpClient(options: GitHttpClientOptions): HttpClient {
  return {
    async request({ url, method = 'GET', headers = {}, body }: GitHttpRequest): Promise<GitHttpResponse> {
      const target = new URL(url);
      const payload = await collect(body);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = send(target, {
          method,
          headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers,
          signal: options.signal,
          ...(isAllowedHost(target, options.allowedHosts) ? {} : { lookup: guardedLookup }),
        });
        req.once('response', resolve);
        req.once('error', reject);
        req.end(payload);
      });
      const flatHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) flatHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return {
        url,
        method,
        statusCode: res.statusCode ?? 0,
        statusMessage: res.statusMessage ?? '',
        headers: flatHeaders,
        body: limited(res, options.maxResponseBytes),
      };
    },
  };
}
