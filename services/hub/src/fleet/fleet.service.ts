import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context.js';
import { selectorOf } from '../clusters/clusters.service.js';
import type { TenantEntity } from '../tenants/tenant.entity.js';
import type { FleetStatusQuery } from './fleet.dto.js';
import { FleetRepository } from './fleet.repository.js';
import { toFleetItem } from './fleet-view.js';

@Injectable()
export class FleetService {
  constructor(private readonly fleet: FleetRepository) {}

  /**
   * The matrix the caller may read: one tenant when named (the guard checked it), else every
   * tenant where they hold `bindings:read`. Rollups cover the whole filtered set, so they come
   * with the first page only; later pages (with `cursor`) answer `rollups: null`.
   */
  async status(auth: AuthContext, tenant: TenantEntity | undefined, query: FleetStatusQuery) {
    const tenantIds = tenant ? [tenant.id] : auth.access.tenantsWith('bindings:read');
    const filter = {
      tenantIds,
      bindingIds:
        query.binding === undefined ? undefined : await this.fleet.bindingsNamed(query.binding, tenantIds),
      selector: query.labelSelector === undefined ? null : selectorOf(query.labelSelector),
      state: query.state,
    };
    // Two independent reads (each its own snapshot, as before): on two pool connections at once.
    const [page, rollups] = await Promise.all([
      this.fleet.page(filter, { limit: query.limit, cursor: query.cursor }),
      query.cursor ? null : this.fleet.rollups(filter),
    ]);
    return { items: page.items.map(toFleetItem), nextCursor: page.nextCursor, rollups };
  }
}
