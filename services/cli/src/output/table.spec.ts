import { describe, expect, it } from 'vitest';
import { renderTable, type Column } from './table.js';

interface Row {
  name: string;
  sync: string | null;
}
const columns: Column<Row>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'sync', value: (r) => r.sync, state: true },
];

describe('tables', () => {
  it('aligns columns, upper-cases headers and shows empty cells as -', () => {
    // Not a TTY under vitest, so no colour codes.
    const text = renderTable(columns, [
      { name: 'web', sync: 'Synced' },
      { name: 'payments', sync: null },
    ]);
    expect(text.split('\n')).toEqual(['NAME       SYNC', 'web        Synced', 'payments   -']);
  });

  it('colours state cells on a TTY without breaking alignment', () => {
    const tty = Object.assign(Object.create(process.stdout) as NodeJS.WriteStream, {
      isTTY: true,
      hasColors: () => true,
    });
    const previous = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    delete process.env.NO_COLOR;
    process.env.FORCE_COLOR = '1';
    try {
      const [, row] = renderTable(columns, [{ name: 'web', sync: 'Degraded' }], tty).split('\n');
      expect(row).toContain('\u001b[31mDegraded\u001b[39m');
      expect(row!.startsWith('web    ')).toBe(true);
    } finally {
      Object.assign(process.env, previous);
      if (previous.NO_COLOR === undefined) delete process.env.NO_COLOR;
      if (previous.FORCE_COLOR === undefined) delete process.env.FORCE_COLOR;
    }
  });
});
