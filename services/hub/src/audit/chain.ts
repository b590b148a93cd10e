import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields a hash covers, in the form they take after a round trip through Postgres. */
export interface ChainedFields {
  id: string;
  at: Date;
  requestId: string | null;
  actorKind: string;
  actorName: string;
  tenantId: string | null;
  tenantSlug: string | null;
  action: string;
  target: string | null;
  outcome: string;
  before: unknown;
  after: unknown;
}

/** JSON with object keys sorted at every depth, so jsonb's key reordering cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Hashes exactly the ChainedFields (never other properties the object may carry). */
export function chainHash(prevHash: string, row: ChainedFields): string {
  const fields: Record<keyof ChainedFields, unknown> = {
    id: row.id,
    at: row.at.toISOString(),
    requestId: row.requestId,
    actorKind: row.actorKind,
    actorName: row.actorName,
    tenantId: row.tenantId,
    tenantSlug: row.tenantSlug,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    before: row.before,
    after: row.after,
  };
  const canonical = canonicalJson(fields);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

export type ChainBreak = { id: string; reason: string };

/** Checks one row against its predecessor; returns why the chain is broken there, if it is. */
export function checkLink(
  previous: { id: string; hash: string } | null,
  row: ChainedFields & { prevHash: string; hash: string },
): ChainBreak | null {
  const expectedId = previous ? BigInt(previous.id) + 1n : 1n;
  if (BigInt(row.id) !== expectedId) {
    return { id: row.id, reason: `event ${expectedId} is missing (deleted)` };
  }
  if (row.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
    return { id: row.id, reason: 'previous-hash link does not match the preceding event' };
  }
  if (chainHash(row.prevHash, row) !== row.hash) {
    return { id: row.id, reason: 'event content does not match its hash (modified)' };
  }
  return null;
}
