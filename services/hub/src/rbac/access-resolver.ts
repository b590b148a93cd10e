import { Injectable } from '@nestjs/common';
import type { AuthContext, Principal } from '../auth/auth-context.js';
import { Access } from './access.js';
import { RoleBindingsRepository, SubjectRef } from './role-bindings.repository.js';

/** Turns an authenticated principal into its AuthContext by reading its role bindings. */
@Injectable()
export class AccessResolver {
  constructor(private readonly bindings: RoleBindingsRepository) {}

  async resolve(principal: Principal, requestId: string): Promise<AuthContext> {
    const subjects: SubjectRef[] =
      principal.kind === 'user'
        ? [
            { kind: 'user', id: principal.id },
            ...principal.groupIds.map((id) => ({ kind: 'group' as const, id })),
          ]
        : [{ kind: 'token', id: principal.id }];
    let grants = await this.bindings.grantsOf(subjects);
    // A tenant token never acts outside its tenant, whatever else was bound to it.
    if (principal.kind === 'token' && principal.tenantId) {
      grants = grants.filter((grant) => grant.tenantId === principal.tenantId);
    }
    return { principal, access: new Access(grants), requestId };
  }
}
