import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { z } from 'zod';
import { Problem } from './problem.js';

export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(512).optional(),
  })
  .strict();
export type PageQuery = z.infer<typeof pageQuery>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

function decodeCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value && typeof (value as { k?: unknown }).k === 'string') {
      return (value as { k: string }).k;
    }
  } catch {
    // fall through to the 400 below
  }
  throw Problem.validation([{ field: 'cursor', message: 'is not a cursor returned by this API' }]);
}

function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

/**
 * Keyset pagination over one unique, ordered column (`alias.property`). The cursor is opaque to clients so the
 * key may change without breaking them.
 */
export async function paginate<E extends ObjectLiteral, T>(
  query: SelectQueryBuilder<E>,
  column: string,
  page: PageQuery,
  map: (row: E) => T,
  order: 'ASC' | 'DESC' = 'ASC',
): Promise<Page<T>> {
  if (page.cursor) {
    query.andWhere(`${column} ${order === 'ASC' ? '>' : '<'} :cursorKey`, {
      cursorKey: decodeCursor(page.cursor),
    });
  }
  const rows = await query
    .orderBy(column, order)
    .limit(page.limit + 1)
    .getMany();
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const [alias, property] = column.split('.');
  const value = last && more ? (last as Record<string, unknown>)[property ?? alias!] : null;
  // Dates keep their milliseconds only in ISO form.
  const key =
    value === null || value === undefined
      ? null
      : value instanceof Date
        ? value.toISOString()
        : String(value);
  return { items: items.map(map), nextCursor: key === null ? null : encodeCursor(key) };
}
