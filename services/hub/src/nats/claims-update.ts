import { natsSystemSubjects } from '@flotilla/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';

const ClaimsUpdateReplySchema = z.union([
  z.object({ data: z.object({ code: z.number(), message: z.string().optional() }) }),
  z.object({ error: z.object({ code: z.number(), description: z.string().optional() }) }),
]);

export class ClaimsUpdateError extends Error {
  override readonly name = 'ClaimsUpdateError';
}

/**
 * Replaces an account's JWT on a nats-server running the `full` resolver. `connection` must
 * belong to a system-account user; the server answers with code 200 once the JWT is stored
 * and applied (revoked users are disconnected at that point).
 */
export async function pushAccountClaims(
  connection: NatsConnection,
  accountPublicKey: string,
  accountJwt: string,
  timeoutMs = 5_000,
): Promise<void> {
  const subject = natsSystemSubjects.accountClaimsUpdate(accountPublicKey);
  let raw: unknown;
  try {
    const reply = await connection.request(subject, accountJwt, { timeout: timeoutMs });
    raw = reply.json();
  } catch (cause) {
    throw new ClaimsUpdateError(
      `account claims update for ${accountPublicKey} failed: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const parsed = ClaimsUpdateReplySchema.safeParse(raw);
  if (!parsed.success) {
    throw new ClaimsUpdateError(`account claims update for ${accountPublicKey}: unrecognised server reply`);
  }
  const reply = parsed.data;
  if ('error' in reply || reply.data.code !== 200) {
    const detail =
      'error' in reply ? `${reply.error.code} ${reply.error.description ?? ''}` : `${reply.data.code}`;
    throw new ClaimsUpdateError(`account claims update for ${accountPublicKey} rejected: ${detail.trim()}`);
  }
}

/**
 * The account JWT the server currently holds (null if it holds none). Used to merge
 * revocations made by other hub replicas before pushing a new JWT.
 */
export async function fetchAccountClaims(
  connection: NatsConnection,
  accountPublicKey: string,
  timeoutMs = 5_000,
): Promise<string | null> {
  const subject = natsSystemSubjects.accountClaimsLookup(accountPublicKey);
  try {
    const jwt = (await connection.request(subject, '', { timeout: timeoutMs })).string().trim();
    return jwt.length > 0 ? jwt : null;
  } catch (cause) {
    throw new ClaimsUpdateError(
      `account claims lookup for ${accountPublicKey} failed: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}
