import * as openpgp from 'openpgp';
import { Problem, type FieldError } from '../common/problem.js';
import { checkRepositoryUrl, SourceError } from '../sources/index.js';
import type { Verification } from './git-repository.entity.js';

/** The URL policy at write time, so a refused URL is a 400 naming `url`. */
async function urlProblems(url: string, allowedHosts: readonly string[]): Promise<FieldError[]> {
  try {
    await checkRepositoryUrl(url, { allowedHosts });
    return [];
  } catch (error) {
    if (error instanceof SourceError) return [{ field: 'url', message: error.message }];
    throw error;
  }
}

/** Every trusted key must be an armored OpenPGP public key (not a private one). */
async function keyProblems(verification: Verification | null): Promise<FieldError[]> {
  const problems: FieldError[] = [];
  for (const [index, armoredKey] of (verification?.trustedKeys ?? []).entries()) {
    const field = `verification.trustedKeys.${index}`;
    const key = await openpgp.readKey({ armoredKey }).catch(() => undefined);
    if (!key) problems.push({ field, message: 'is not an armored OpenPGP public key' });
    else if (key.isPrivate()) problems.push({ field, message: 'is a private key; give the public key only' });
  }
  return problems;
}

/** Checks what the schema cannot (DNS, key parsing); one 400 lists every problem. */
export async function checkRepositoryFields(
  fields: { url?: string; verification?: Verification | null },
  allowedHosts: readonly string[],
): Promise<void> {
  const problems = [
    ...(fields.url === undefined ? [] : await urlProblems(fields.url, allowedHosts)),
    ...(fields.verification === undefined ? [] : await keyProblems(fields.verification)),
  ];
  if (problems.length) throw Problem.validation(problems);
}
