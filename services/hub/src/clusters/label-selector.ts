import { selectorSchema, type LabelSelector, type SelectorRequirement } from '@flotilla/policy';

export class SelectorSyntaxError extends Error {
  override readonly name = 'SelectorSyntaxError';
}

/** Splits on commas outside parentheses: `a=b,t in (x,y)` → [`a=b`, `t in (x,y)`]. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (depth < 0) throw new SelectorSyntaxError('unbalanced ")"');
    if (char === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += char;
  }
  if (depth !== 0) throw new SelectorSyntaxError('unbalanced "("');
  out.push(current.trim());
  return out;
}

const SET = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/;
const EQUALITY = /^([^\s=!]+)\s*(==|=|!=)\s*(\S*)$/;
const EXISTS = /^(!?)([^\s=!(),]+)$/;

function term(text: string, matchLabels: Record<string, string>): SelectorRequirement | null {
  let m = SET.exec(text);
  if (m) {
    const values = m[3]!.split(',').map((value) => value.trim());
    return { key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values };
  }
  m = EQUALITY.exec(text);
  if (m) {
    if (m[2] === '!=') return { key: m[1]!, operator: 'NotIn', values: [m[3]!] };
    if (m[1]! in matchLabels && matchLabels[m[1]!] !== m[3]) {
      throw new SelectorSyntaxError(`"${m[1]}" is required to equal two different values`);
    }
    matchLabels[m[1]!] = m[3]!;
    return null;
  }
  m = EXISTS.exec(text);
  if (m) return { key: m[2]!, operator: m[1] ? 'DoesNotExist' : 'Exists' };
  throw new SelectorSyntaxError(`cannot parse "${text}"`);
}

/**
 * Parses the Kubernetes label selector string syntax (`env=prod,tier in (a,b),!legacy`) into
 * the structured selector the policy library matches with. Keys and values are checked by the
 * Kubernetes label rules; errors name the offending term.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: SelectorRequirement[] = [];
  if (text.trim() !== '') {
    for (const raw of terms(text)) {
      if (!raw) throw new SelectorSyntaxError('empty term');
      const requirement = term(raw, matchLabels);
      if (requirement) matchExpressions.push(requirement);
    }
  }
  const parsed = selectorSchema.safeParse({ matchLabels, matchExpressions });
  if (!parsed.success) {
    throw new SelectorSyntaxError(parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  return parsed.data;
}
