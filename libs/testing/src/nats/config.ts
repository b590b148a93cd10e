import { decode } from '@nats-io/jwt';

export interface NatsServerPaths {
  port: number;
  storeDir: string;
  resolverDir: string;
}

/** JWTs for operator mode, as produced by the hub's NATS authority. */
export interface OperatorModeJwts {
  operatorJwt: string;
  /** Public key of the system account; its JWT must be among `accountJwts`. */
  systemAccount: string;
  accountJwts: readonly string[];
}

const quote = (value: string) => JSON.stringify(value);

function common({ port, storeDir }: NatsServerPaths): string {
  return [`host: "127.0.0.1"`, `port: ${port}`, `jetstream: { store_dir: ${quote(storeDir)} }`].join('\n');
}

export function renderPlainConfig(paths: NatsServerPaths): string {
  return `${common(paths)}\n`;
}

export function renderOperatorConfig(paths: NatsServerPaths, jwts: OperatorModeJwts): string {
  const preload = jwts.accountJwts.map((jwt) => `  ${decode(jwt).sub}: ${quote(jwt)}`).join('\n');
  return [
    common(paths),
    `operator: ${quote(jwts.operatorJwt)}`,
    `system_account: ${jwts.systemAccount}`,
    `resolver: { type: full, dir: ${quote(paths.resolverDir)}, allow_delete: false }`,
    `resolver_preload: {\n${preload}\n}`,
    '',
  ].join('\n');
}
