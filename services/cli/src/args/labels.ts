import { usageError } from '../errors.js';

/** `env=prod,tier=web` → { env: 'prod', tier: 'web' }. The hub checks Kubernetes label syntax. */
export function parseLabels(input: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of input.split(',').map((p) => p.trim())) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    if (at <= 0 || !key) throw usageError(`"${pair}" is not key=value (labels look like env=prod,tier=web)`);
    if (key in labels) throw usageError(`label "${key}" is given twice`);
    labels[key] = pair.slice(at + 1).trim();
  }
  return labels;
}

/** { env: 'prod', tier: 'web' } → `env=prod,tier=web`, the way labels are typed. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** `label` takes `k=v` to set and `k-` to remove, like `kubectl label`. */
export function parseLabelChanges(changes: string[]): { set: Record<string, string>; remove: string[] } {
  const remove = changes.filter((c) => /^[^=]+-$/.test(c)).map((c) => c.slice(0, -1));
  const set = parseLabels(changes.filter((c) => !/^[^=]+-$/.test(c)).join(','));
  if (Object.keys(set).length === 0 && remove.length === 0)
    throw usageError('give labels as key=value or key-');
  return { set, remove };
}
