import { checkedString } from './selector.js';

const PATTERN = /^[a-z0-9*-]+$/;

/** Why a namespace pattern is invalid: only DNS label characters and `*`, at most 63. */
export function namespacePatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0 || pattern.length > 63)
    return `pattern "${pattern}" must be 1 to 63 characters long`;
  if (!PATTERN.test(pattern))
    return `pattern "${pattern}" may contain only lower-case letters, digits, '-' and the wildcard '*'`;
  return undefined;
}

export const namespacePatternSchema = checkedString(namespacePatternProblem);

/** Anchored glob match; `*` stands for any run (possibly empty) of DNS label characters. */
export function matchesNamespacePattern(namespace: string, pattern: string): boolean {
  if (namespacePatternProblem(pattern)) return false;
  // The pattern holds no regular-expression metacharacters other than '*' (checked above).
  return new RegExp(`^${pattern.replaceAll('*', '[a-z0-9-]*')}$`).test(namespace);
}
