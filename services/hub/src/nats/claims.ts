import { nativeCreateUser } from '@flotilla/contracts';
import {
  decode,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  type KeyPair,
  type OperatorLimits,
  type Permissions,
  type RevocationList,
} from '@nats-io/jwt';

const UNLIMITED = -1;

// encodeAccount applies no defaults: every limit left out is 0, which refuses all
// connections. Spell each one.
const NATS_LIMITS = { subs: UNLIMITED, data: UNLIMITED, payload: UNLIMITED };
const ACCOUNT_LIMITS = {
  imports: UNLIMITED,
  exports: UNLIMITED,
  wildcards: true,
  conn: UNLIMITED,
  leaf: UNLIMITED,
  disallow_bearer: true,
};

/** The application account runs JetStream (assignments KV, status stream) without caps. */
export const APP_ACCOUNT_LIMITS: OperatorLimits = {
  ...NATS_LIMITS,
  ...ACCOUNT_LIMITS,
  mem_storage: UNLIMITED,
  disk_storage: UNLIMITED,
  streams: UNLIMITED,
  consumer: UNLIMITED,
  mem_max_stream_bytes: UNLIMITED,
  disk_max_stream_bytes: UNLIMITED,
  max_bytes_required: false,
  max_ack_pending: UNLIMITED,
};

/** The system account must not have JetStream: storage limits 0 disable it. */
export const SYSTEM_ACCOUNT_LIMITS: OperatorLimits = {
  ...NATS_LIMITS,
  ...ACCOUNT_LIMITS,
  mem_storage: 0,
  disk_storage: 0,
  streams: 0,
  consumer: 0,
  mem_max_stream_bytes: 0,
  disk_max_stream_bytes: 0,
  max_bytes_required: false,
  max_ack_pending: 0,
};

export function signOperator(name: string, operator: KeyPair, systemAccount: KeyPair): Promise<string> {
  return encodeOperator(name, operator, { system_account: systemAccount.getPublicKey() });
}

export function signAccount(
  name: string,
  account: KeyPair,
  operator: KeyPair,
  claims: { limits: OperatorLimits; signingKeys?: KeyPair[]; revocations?: RevocationList },
): Promise<string> {
  return encodeAccount(
    name,
    account,
    {
      limits: claims.limits,
      signing_keys: claims.signingKeys?.map((kp) => kp.getPublicKey()),
      revocations:
        claims.revocations && Object.keys(claims.revocations).length ? claims.revocations : undefined,
    },
    { signer: operator },
  );
}

export interface UserCredentials {
  /** The `.creds` file text (JWT + seed): a secret, hand it only to its user. */
  creds: string;
  userPublicKey: string;
  /** Unix seconds the JWT was issued; a revocation at or after this time covers it. */
  issuedAt: number;
}

/**
 * Signs a user JWT for `userPublicKey` (whose seed the caller may never see). `expiresAt`
 * (unix seconds) makes the server refuse the JWT after that time.
 */
export function signUser(
  name: string,
  userPublicKey: string,
  account: KeyPair,
  signer: KeyPair,
  permissions: Permissions,
  expiresAt?: number,
): Promise<string> {
  const sameKey = signer.getPublicKey() === account.getPublicKey();
  return encodeUser(
    name,
    userPublicKey,
    sameKey ? account : account.getPublicKey(),
    { ...permissions, ...NATS_LIMITS, bearer_token: false },
    { ...(sameKey ? {} : { signer }), ...(expiresAt ? { exp: expiresAt } : {}) },
  );
}

/** Mints a user with a fresh nkey, so revoking one credential never touches another. */
export async function mintUser(
  name: string,
  account: KeyPair,
  signer: KeyPair,
  permissions: Permissions,
  expiresAt?: number,
): Promise<UserCredentials> {
  const user = nativeCreateUser();
  const jwt = await signUser(name, user.getPublicKey(), account, signer, permissions, expiresAt);
  return {
    creds: new TextDecoder().decode(fmtCreds(jwt, user)),
    userPublicKey: user.getPublicKey(),
    issuedAt: decode(jwt).iat,
  };
}
