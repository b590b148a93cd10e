import { usageError } from '../errors.js';

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `90s`, `5m`, `1h`, `250ms` → milliseconds, for --timeout. */
export function parseDuration(input: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(input.trim());
  if (!match) throw usageError(`"${input}" is not a duration (like 30s, 5m or 1h)`);
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}

export function parsePositiveInt(input: string): number {
  if (!/^\d+$/.test(input) || Number(input) < 1)
    throw usageError(`"${input}" is not a positive whole number`);
  return Number(input);
}

/** Comma-separated list, empty entries dropped: `--namespaces team-a-*,shared`. */
export function parseList(input: string): string[] {
  return input
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** Commander option parser for repeatable flags: `--rule a --rule b` → ['a', 'b']. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--since 1h` (that long ago) or an ISO timestamp → ISO timestamp. */
export function parseSince(input: string, now = Date.now()): string {
  if (/^\d+(ms|s|m|h)$/.test(input)) return new Date(now - parseDuration(input)).toISOString();
  const at = new Date(input);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(input)) {
    throw usageError(`"${input}" is neither a duration (1h) nor a timestamp (2026-01-31T12:00:00Z)`);
  }
  return at.toISOString();
}
