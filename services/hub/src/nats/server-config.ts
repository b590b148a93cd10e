import { decode } from '@nats-io/jwt';

export interface ServerConfigPaths {
  port: number;
  storeDir: string;
  resolverDir: string;
  /** Listen address; all interfaces when omitted. */
  host?: string;
  /** Largest message in bytes: bundles travel base64 in one reply. */
  maxPayload?: number;
  /** HTTP monitoring port (`/healthz`, `/varz`); off when omitted. */
  monitorPort?: number;
}

export interface ServerJwts {
  operatorJwt: string;
  systemAccount: string;
  accountJwts: readonly string[];
}

export const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;

const quote = (value: string) => JSON.stringify(value);

/**
 * nats-server configuration for this operator: JetStream on, the `full` resolver (so account
 * updates such as revocations are pushed live and survive restarts; `allow_delete: false`
 * keeps accounts from being removed remotely) preloaded with the system and app accounts.
 */
export function renderServerConfigText(paths: ServerConfigPaths, jwts: ServerJwts): string {
  const preload = jwts.accountJwts.map((jwt) => `  ${decode(jwt).sub}: ${quote(jwt)}`);
  return [
    ...(paths.host ? [`host: ${quote(paths.host)}`] : []),
    `port: ${paths.port}`,
    ...(paths.monitorPort ? [`http_port: ${paths.monitorPort}`] : []),
    `max_payload: ${paths.maxPayload ?? DEFAULT_MAX_PAYLOAD}`,
    `jetstream: { store_dir: ${quote(paths.storeDir)} }`,
    `operator: ${quote(jwts.operatorJwt)}`,
    `system_account: ${jwts.systemAccount}`,
    `resolver: { type: full, dir: ${quote(paths.resolverDir)}, allow_delete: false }`,
    'resolver_preload: {',
    ...preload,
    '}',
    '',
  ].join('\n');
}
