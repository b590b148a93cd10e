import { z } from 'zod';

/** Core-NATS hint on `flotilla.agent.<id>.notify` that the cluster's assignment changed. */
export const AssignmentNoticeSchema = z.strictObject({ revision: z.number().int().nonnegative() });
export type AssignmentNotice = z.infer<typeof AssignmentNoticeSchema>;
