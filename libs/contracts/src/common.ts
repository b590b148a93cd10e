import { z } from 'zod';

/** Content address of a bundle: `sha256:` followed by 64 lowercase hex digits. */
export const DigestSchema = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'digest must be "sha256:" + 64 hex digits');

/** A Git commit id (SHA-1 or SHA-256 object name). */
export const CommitSchema = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'commit must be a 40 or 64 hex digit id');

export const ProtocolVersionSchema = z.number().int().positive();

/** Sender's clock, ISO 8601 with offset; informational only (ordering uses `seq`). */
export const TimestampSchema = z.iso.datetime({ offset: true });

export const NonEmptyString = z.string().min(1);
