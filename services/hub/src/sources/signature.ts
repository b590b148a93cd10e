import * as openpgp from 'openpgp';
import type { GitFetcher } from './git-fetcher.js';

export type SignatureVerdict =
  | { verified: true; keyId: string; fingerprint: string; signer: string }
  | { verified: false; reason: 'unsigned' | 'untrusted' | 'invalid' };

export interface CommitSignatureRequest {
  fetcher: GitFetcher;
  repoId: string;
  commit: string;
  /** Armored OpenPGP public keys allowed to sign. */
  trustedKeys: readonly string[];
}

async function readTrustedKeys(armored: readonly string[]): Promise<openpgp.Key[]> {
  return Promise.all(
    armored.map(async (armoredKey, index) => {
      try {
        return await openpgp.readKey({ armoredKey });
      } catch (error) {
        throw new Error(
          `trusted key #${index + 1} is not a valid armored OpenPGP public key: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }),
  );
}

/**
 * Verifies a git commit signature (`gpgsig` header) over the commit payload. Git signs with a
 * detached signature over the raw bytes (GnuPG: binary type); text-type signatures are also
 * accepted since some tools produce them.
 */
export async function verifyCommitPayload(args: {
  payload: string;
  gpgsig: string | undefined;
  trustedKeys: readonly string[];
}): Promise<SignatureVerdict> {
  const keys = await readTrustedKeys(args.trustedKeys);
  if (!args.gpgsig) return { verified: false, reason: 'unsigned' };
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature: args.gpgsig });
  } catch {
    return { verified: false, reason: 'invalid' };
  }
  const signingIds = signature.getSigningKeyIDs();
  const key = keys.find((candidate) => signingIds.some((id) => candidate.getKeys(id).length > 0));
  if (!key) return { verified: false, reason: 'untrusted' };
  const isText = signature.packets[0]?.signatureType === openpgp.enums.signature.text;
  const message = isText
    ? await openpgp.createMessage({ text: args.payload })
    : await openpgp.createMessage({ binary: new TextEncoder().encode(args.payload) });
  const result = await openpgp.verify({ message, signature, verificationKeys: key });
  const [first] = result.signatures;
  try {
    if (!first) return { verified: false, reason: 'invalid' };
    await first.verified;
  } catch {
    return { verified: false, reason: 'invalid' };
  }
  return {
    verified: true,
    keyId: first.keyID.toHex(),
    fingerprint: key.getFingerprint(),
    signer: key.getUserIDs()[0] ?? '',
  };
}

/** Verifies the signature of a commit already in the fetcher's cache. */
export async function verifyCommitSignature(request: CommitSignatureRequest): Promise<SignatureVerdict> {
  const { payload, gpgsig } = await request.fetcher.readCommit(request.repoId, request.commit);
  return verifyCommitPayload({ payload, gpgsig, trustedKeys: request.trustedKeys });
}
