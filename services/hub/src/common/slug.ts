import { z } from 'zod';

/**
 * DNS-label slugs. The pattern is pure ASCII, so SQL metacharacters and unicode
 * confusables (Cyrillic "а", fullwidth letters, ...) are refused before any query runs.
 */
export const slugPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const slug = z
  .string()
  .regex(slugPattern, 'must be a DNS label: lowercase a-z, 0-9 and "-", at most 63 characters');

/** Names of users, groups, tokens and roles: slug-like, dots and underscores allowed inside. */
export const name = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/,
    'must be lowercase a-z, 0-9, ".", "_" or "-", start and end alphanumeric, at most 128 characters',
  );
