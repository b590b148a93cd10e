import { HealthSchema, SyncStateSchema } from '@flotilla/contracts';
import { z } from 'zod';
import { pageQuery } from '../common/pagination.js';
import { slug } from '../common/slug.js';

/** `state` names either a sync state or a health; each lives in its own column. */
export const syncStates = SyncStateSchema.options;
export const fleetStates = [...SyncStateSchema.options, ...HealthSchema.options] as const;
export type FleetState = (typeof fleetStates)[number];

export const fleetStatusSchema = pageQuery
  .extend({
    tenant: slug.optional(),
    binding: slug.optional(),
    /** Kubernetes syntax, matched against the cluster's labels. */
    labelSelector: z.string().max(2048).optional(),
    state: z.enum(fleetStates).optional(),
  })
  .strict();
export type FleetStatusQuery = z.infer<typeof fleetStatusSchema>;

export const eventsSchema = z.object({ tenant: slug.optional() }).strict();
