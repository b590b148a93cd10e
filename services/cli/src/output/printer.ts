import { usageError } from '../errors.js';
import { renderTable, type Column } from './table.js';

export const formats = ['table', 'json', 'yaml'] as const;
export type Format = (typeof formats)[number];

export function parseFormat(value: string): Format {
  if ((formats as readonly string[]).includes(value)) return value as Format;
  throw usageError(`unknown output format "${value}": use one of ${formats.join(', ')}`);
}

/** Everything a command prints on stdout goes through here, so -o works the same everywhere. */
export class Printer {
  constructor(
    readonly format: Format,
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {}

  async list<T>(items: T[], columns: Column<T>[]): Promise<void> {
    if (this.format !== 'table') return this.data(items);
    // Like kubectl: the notice goes to stderr so `| wc -l` still counts rows.
    if (items.length === 0) this.err.write('No resources found.\n');
    else this.line(renderTable(columns, items, this.out));
  }

  async one<T>(item: T, columns: Column<T>[]): Promise<void> {
    if (this.format !== 'table') return this.data(item);
    this.line(renderTable(columns, [item], this.out));
  }

  /** Any value; in table mode the caller says how it reads as text. */
  async value(data: unknown, asText: () => string): Promise<void> {
    if (this.format !== 'table') return this.data(data);
    this.line(asText());
  }

  /** A human message; suppressed for json/yaml, whose stdout must stay parseable. */
  note(message: string): void {
    if (this.format === 'table') this.line(message);
    else this.err.write(`${message}\n`);
  }

  line(text: string): void {
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** JSON or YAML as chosen; YAML when the chosen format is table (a structure no table fits). */
  async data(data: unknown): Promise<void> {
    if (this.format === 'json') return this.line(JSON.stringify(data, null, 2));
    // Loaded on demand: most invocations never need a YAML printer, and start-up time matters.
    const { stringify } = await import('yaml');
    this.line(stringify(data));
  }
}
