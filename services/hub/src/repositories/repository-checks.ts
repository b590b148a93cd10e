import * as openpgp from 'openpgp';
import { Problem } from '../common/problem.js';
import { checkRepositoryUrl, SourceError } from '../sources/index.js';
import type { Verification } from './git-repository.entity.js';

/** Applies the URL policy at write time, so a refused URL is a 400 naming `url`. */
export async function checkUrlField(url: string, allowedHosts: readonly string[]): Promise<void> {
  try {
    await checkRepositoryUrl(url, { allowedHosts });
  } catch (error) {
    if (error instanceof SourceError) throw Problem.validation([{ field: 'url', message: error.message }]);
    throw error;
  }
}

/** Every trusted key must be an armored OpenPGP public key (not a private one). */
export async function checkTrustedKeys(verification: Verification | null): Promise<void> {
  for (const [index, armoredKey] of (verification?.trustedKeys ?? []).entries()) {
    const field = `verification.trustedKeys.${index}`;
    let key: openpgp.Key;
    try {
      key = await openpgp.readKey({ armoredKey });
    } catch {
      throw Problem.validation([{ field, message: 'is not an armored OpenPGP public key' }]);
    }
    if (key.isPrivate())
      throw Problem.validation([{ field, message: 'is a private key; give the public key only' }]);
  }
}
