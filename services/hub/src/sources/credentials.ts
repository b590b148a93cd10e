import type { AuthCallback } from 'isomorphic-git';

/** Repository credentials: basic auth, or a token (GitHub/GitLab/Gitea accept it as the password). */
export type GitCredentials = { username: string; password: string } | { token: string };

/** The isomorphic-git `onAuth` callback for these credentials (none → anonymous). */
export function toOnAuth(credentials: GitCredentials | undefined): AuthCallback | undefined {
  if (!credentials) return undefined;
  if ('token' in credentials) return () => ({ username: 'x-access-token', password: credentials.token });
  return () => ({ username: credentials.username, password: credentials.password });
}

/** The secret strings of a credential set, for `scrub`. */
export function secretsOf(credentials: GitCredentials | undefined): string[] {
  if (!credentials) return [];
  if ('token' in credentials) return [credentials.token];
  return [
    credentials.password,
    Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'),
  ];
}

const USERINFO_IN_URL = /([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi;

/**
 * Removes the given secrets (also URL-encoded) and any `user:pass@` userinfo from text that may
 * reach logs, errors or API answers; isomorphic-git errors can embed request URLs.
 */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let result = text.replace(USERINFO_IN_URL, '$1***@');
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) result = result.split(form).join('***');
  }
  return result;
}
