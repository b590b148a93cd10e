/**
 * NATS system-account subjects the hub's authority uses. Not part of the agent protocol, but
 * spelled here so every subject Flotilla touches lives in one package.
 */
function accountKey(accountPublicKey: string): string {
  if (!/^A[A-Z2-7]{55}$/.test(accountPublicKey)) {
    throw new TypeError('expected an account public key (A…, 56 characters)');
  }
  return accountPublicKey;
}

export const natsSystemSubjects = {
  /** Request here (as a system-account user) to replace an account's JWT in a `full` resolver. */
  accountClaimsUpdate(accountPublicKey: string): string {
    return `$SYS.REQ.ACCOUNT.${accountKey(accountPublicKey)}.CLAIMS.UPDATE`;
  },
  /** Request here to read the account JWT the server currently holds. */
  accountClaimsLookup(accountPublicKey: string): string {
    return `$SYS.REQ.ACCOUNT.${accountKey(accountPublicKey)}.CLAIMS.LOOKUP`;
  },
} as const;

/** Inbox prefix of the hub's system-account connection (upper case: never a cluster's). */
export const CLAIMS_UPDATER_INBOX_PREFIX = '_INBOX_CLAIMS';
