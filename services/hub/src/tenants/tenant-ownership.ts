import { Injectable } from '@nestjs/common';

/**
 * Something a tenant can own. Modules register one in `onModuleInit`; offboarding is refused
 * while any count is non-zero and, when forced, purges them in reverse registration order
 * (register the things others depend on first), all inside the offboarding transaction.
 */
export interface TenantOwnedKind {
  /** Plural, camelCase: the key in the 409 answer, e.g. `roleBindings`. */
  name: string;
  count(tenantId: string): Promise<number>;
  purge(tenantId: string): Promise<void>;
}

@Injectable()
export class TenantOwnership {
  private readonly kinds: TenantOwnedKind[] = [];

  register(kind: TenantOwnedKind): void {
    this.kinds.push(kind);
  }

  /** Non-zero counts only. */
  async census(tenantId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const kind of this.kinds) {
      const count = await kind.count(tenantId);
      if (count) counts[kind.name] = count;
    }
    return counts;
  }

  async purge(tenantId: string): Promise<void> {
    for (const kind of [...this.kinds].reverse()) await kind.purge(tenantId);
  }
}
