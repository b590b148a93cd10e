import { paint, stateStyle } from './colour.js';

export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  header: string;
  value: (item: T) => Cell;
  /** Colour the cell by the state word it holds (Synced, Degraded, …). */
  state?: boolean;
  /** Shown for an empty cell; `-` unless the column is a marker like CURRENT. */
  empty?: string;
}

const text = (cell: Cell, empty = '-') =>
  cell === null || cell === undefined || cell === '' ? empty : String(cell);

/**
 * kubectl-style table: upper-case headers, three spaces between columns. Padding is computed
 * on the plain text and added after colouring, so escape codes never skew the alignment.
 */
export function renderTable<T>(columns: Column<T>[], items: T[], stream?: NodeJS.WriteStream): string {
  const rows = items.map((item) => columns.map((column) => text(column.value(item), column.empty)));
  const headers = columns.map((column) => column.header.toUpperCase());
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[], styled: (cell: string, i: number) => string) =>
    cells
      .map((cell, i) => styled(cell, i) + (i < cells.length - 1 ? ' '.repeat(widths[i]! - cell.length) : ''))
      .join('   ');
  const header = line(headers, (cell) => paint('bold', cell, stream));
  const body = rows.map((row) =>
    line(row, (cell, i) => {
      const style = columns[i]!.state ? stateStyle(cell) : null;
      return style ? paint(style, cell, stream) : cell;
    }),
  );
  return [header, ...body].join('\n');
}
