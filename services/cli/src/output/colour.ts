import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Words a state column can hold, by how worried the reader should be. */
const good = new Set([
  'Synced',
  'Healthy',
  'Online',
  'ok',
  'success',
  'true',
  'Succeeded',
  'Ready',
  'Active',
]);
const pending = new Set(['OutOfSync', 'Progressing', 'Pending', 'Suspended', 'Unknown', 'Running']);
const bad = new Set([
  'Failed',
  'Degraded',
  'Offline',
  'Missing',
  'denied',
  'failure',
  'Error',
  'Revoked',
  'Disabled',
]);

/**
 * styleText checks the stream: no colour when it is not a TTY or NO_COLOR / NODE_DISABLE_COLORS
 * is set, so piped output stays plain.
 */
export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return styleText(style, text, { stream });
}

export function stateStyle(value: string): Style | null {
  if (good.has(value)) return 'green';
  if (pending.has(value)) return 'yellow';
  if (bad.has(value)) return 'red';
  return null;
}
