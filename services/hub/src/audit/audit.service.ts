import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { AuditRepository } from './audit.repository.js';
import type { AuditOutcome } from './audit-event.entity.js';

export interface Actor {
  kind: 'user' | 'token' | 'anonymous' | 'system';
  name: string;
}

export interface AuditTenant {
  id: string;
  slug: string;
}

export interface AuditEvent {
  action: string;
  target?: string;
  tenant?: AuditTenant | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export function actorOf(auth: AuthContext): Actor {
  return { kind: auth.principal.kind, name: auth.principal.name };
}

/**
 * Writes the audit trail. Call `record` inside the mutation's `db.transaction` so the event
 * commits or rolls back with the change it describes.
 */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  record(auth: AuthContext, event: AuditEvent): Promise<void> {
    return this.write(actorOf(auth), auth.requestId, 'success', event);
  }

  /** For successes before an AuthContext exists (logins, start-up). */
  succeeded(actor: Actor, requestId: string | undefined, event: AuditEvent): Promise<void> {
    return this.write(actor, requestId, 'success', event);
  }

  denied(actor: Actor, requestId: string | undefined, event: AuditEvent): Promise<void> {
    return this.write(actor, requestId, 'denied', event);
  }

  private write(actor: Actor, requestId: string | undefined, outcome: AuditOutcome, event: AuditEvent) {
    return this.repository.append({
      at: new Date(),
      requestId: requestId ?? null,
      actorKind: actor.kind,
      actorName: actor.name,
      tenantId: event.tenant?.id ?? null,
      tenantSlug: event.tenant?.slug ?? null,
      action: event.action,
      target: event.target ?? null,
      outcome,
      before: event.before ?? null,
      after: event.after ?? null,
    });
  }
}
