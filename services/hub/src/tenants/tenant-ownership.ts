import { Injectable, Logger } from '@nestjs/common';

/** Work a purge leaves for after the offboarding transaction commits (e.g. telling clusters). */
export type AfterPurge = () => Promise<unknown>;

/**
 * Something a tenant can own. Modules register one in `onModuleInit`; offboarding is refused
 * while any count is non-zero and, when forced, purges them in reverse registration order
 * (register the things others depend on first), all inside the offboarding transaction.
 * A purge whose effects reach outside the database (NATS, agents) returns them as `AfterPurge`:
 * run only once the deletion is committed, so a rolled-back offboarding changes nothing.
 */
export interface TenantOwnedKind {
  /** Plural, camelCase: the key in the 409 answer, e.g. `roleBindings`. */
  name: string;
  count(tenantId: string): Promise<number>;
  purge(tenantId: string): Promise<AfterPurge | void>;
}

@Injectable()
export class TenantOwnership {
  private readonly logger = new Logger(TenantOwnership.name);
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

  /** Inside the offboarding transaction; returns what must run after it commits. */
  async purge(tenantId: string): Promise<AfterPurge[]> {
    const after: AfterPurge[] = [];
    for (const kind of [...this.kinds].reverse()) {
      const followUp = await kind.purge(tenantId);
      if (followUp) after.push(followUp);
    }
    return after;
  }

  /**
   * Runs the follow-ups of a committed purge. The tenant is gone either way, so a failure is
   * logged, not thrown: the next change or the hub's catch-up on (re)start repairs it.
   */
  async afterPurge(tenantId: string, followUps: readonly AfterPurge[]): Promise<void> {
    for (const followUp of followUps) {
      await followUp().catch((error: unknown) =>
        this.logger.error(`after offboarding tenant ${tenantId}: ${(error as Error).message}`),
      );
    }
  }
}
