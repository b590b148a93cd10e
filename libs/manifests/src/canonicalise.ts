/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, recursively), no insignificant
 * whitespace. The same value always yields the same bytes, whatever order the keys were
 * written in, which is what makes bundle digests content addresses.
 */
export function canonicalJson(value: unknown): string {
  const problem = jsonProblem(value);
  if (problem) throw new TypeError(`cannot canonicalise: ${problem}`);
  return write(value);
}

function write(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${write(record[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Names the first value that JSON cannot represent faithfully (e.g. YAML `!!binary`,
 * NaN), as `at <path>: <what>`; undefined when the whole value is plain JSON. Object
 * properties that are undefined are allowed (they are left out, as JSON.stringify does).
 */
export function jsonProblem(value: unknown, path = ''): string | undefined {
  const here = path === '' ? '(root)' : path;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `at ${here}: ${value} is not a JSON number`;
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (const [index, item] of value.entries()) {
          const problem = jsonProblem(item, `${path}[${index}]`);
          if (problem) return problem;
        }
        return undefined;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null)
        return `at ${here}: ${value.constructor.name} is not a JSON value`;
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue;
        const problem = jsonProblem(item, path === '' ? key : `${path}.${key}`);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return `at ${here}: ${typeof value} is not a JSON value`;
  }
}
