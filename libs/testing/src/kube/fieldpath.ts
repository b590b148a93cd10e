/**
 * Field sets as server-side apply tracks them in `metadata.managedFields[].fieldsV1`.
 * A path is a list of path elements in their fieldsV1 spelling: `f:name` (a struct field or
 * map key), `k:{"name":"x"}` (an associative list item), `v:"x"` (a set item), `i:3` (an index).
 * A node is a member when the path to it is in the set (`".": {}` when it also has children).
 */
export class FieldSet {
  member = false;
  children: Map<string, FieldSet> | undefined;

  static fromPaths(paths: string[][]): FieldSet {
    const set = new FieldSet();
    for (const p of paths) set.insert(p);
    return set;
  }

  static fromFieldsV1(json: unknown): FieldSet {
    const set = new FieldSet();
    set.readJson(json);
    return set;
  }

  private readJson(json: unknown): void {
    if (!json || typeof json !== 'object') return;
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      if (key === '.') {
        this.member = true;
        continue;
      }
      const child = this.child(key);
      if (value && typeof value === 'object' && Object.keys(value).length > 0) child.readJson(value);
      else child.member = true;
    }
  }

  child(pe: string): FieldSet {
    if (!this.children) this.children = new Map();
    let c = this.children.get(pe);
    if (!c) this.children.set(pe, (c = new FieldSet()));
    return c;
  }

  get(pe: string): FieldSet | undefined {
    return this.children?.get(pe);
  }

  insert(path: readonly string[], from = 0): void {
    if (from === path.length) this.member = true;
    else this.child(path[from]).insert(path, from + 1);
  }

  has(path: readonly string[]): boolean {
    return this.at(path)?.member ?? false;
  }

  at(path: readonly string[], from = 0): FieldSet | undefined {
    if (from === path.length) return this;
    return this.children?.get(path[from])?.at(path, from + 1);
  }

  isEmpty(): boolean {
    if (this.member) return false;
    if (!this.children) return true;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    if (this.children) for (const [k, c] of this.children) out.child(k).assign(c.clone());
    return out;
  }

  private assign(other: FieldSet): void {
    this.member = other.member;
    this.children = other.children;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.addAll(other);
    return out;
  }

  private addAll(other: FieldSet): void {
    if (other.member) this.member = true;
    if (other.children) for (const [k, c] of other.children) this.child(k).addAll(c);
  }

  difference(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !(other?.member ?? false);
    if (this.children) {
      for (const [k, c] of this.children) {
        const d = c.difference(other?.children?.get(k));
        if (!d.isEmpty()) out.child(k).assign(d);
      }
    }
    return out;
  }

  intersection(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    if (!other) return out;
    out.member = this.member && other.member;
    if (this.children && other.children) {
      for (const [k, c] of this.children) {
        const o = other.children.get(k);
        if (!o) continue;
        const i = c.intersection(o);
        if (!i.isEmpty()) out.child(k).assign(i);
      }
    }
    return out;
  }

  /** Same members (empty nodes ignored). */
  equals(other: FieldSet): boolean {
    if (this.member !== other.member) return false;
    const mine = this.children ? [...this.children].filter(([, c]) => !c.isEmpty()) : [];
    const theirs = other.children ? [...other.children].filter(([, c]) => !c.isEmpty()) : [];
    if (mine.length !== theirs.length) return false;
    for (const [k, c] of mine) {
      const o = other.children!.get(k);
      if (!o || !c.equals(o)) return false;
    }
    return true;
  }

  /** Every member path. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member) out.push(prefix);
    if (this.children) for (const [k, c] of this.children) out.push(...c.paths([...prefix, k]));
    return out;
  }

  /** A copy where every field node (`f:`) with children is also a member (SMD's EnsureNamedFieldsAreMembers). */
  withNamedFieldsAsMembers(isField = false): FieldSet {
    const out = new FieldSet();
    out.member = this.member || (isField && !!this.children && this.children.size > 0);
    if (this.children) {
      for (const [k, c] of this.children) out.child(k).assign(c.withNamedFieldsAsMembers(k.startsWith('f:')));
    }
    return out;
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children?.size) out['.'] = {};
    if (this.children) {
      for (const k of [...this.children.keys()].sort()) {
        const c = this.children.get(k)!;
        if (c.isEmpty()) continue;
        out[k] = c.children?.size ? c.toFieldsV1() : {};
      }
    }
    return out;
  }
}

export const fieldPE = (name: string): string => `f:${name}`;

/** `k:{...}` for an associative list item: the key fields, sorted by name. */
export function keyPE(item: Record<string, unknown>, keys: readonly string[]): string {
  const sorted = [...keys].sort();
  const parts: string[] = [];
  for (const k of sorted)
    if (item[k] !== undefined) parts.push(`${JSON.stringify(k)}:${JSON.stringify(item[k])}`);
  return `k:{${parts.join(',')}}`;
}

export const valuePE = (value: unknown): string => `v:${JSON.stringify(value)}`;

/** `.spec.containers[name="nginx"].image`, as Kubernetes prints a path in conflict messages. */
export function formatPath(path: readonly string[]): string {
  let out = '';
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        out += `.${body}`;
        break;
      case 'k': {
        const obj = JSON.parse(body) as Record<string, unknown>;
        out += `[${Object.entries(obj)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
        break;
      }
      case 'v':
        out += `[=${body}]`;
        break;
      default:
        out += `[${body}]`;
    }
  }
  return out;
}
