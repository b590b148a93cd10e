import { AssignmentRequestSchema, AssignmentResponseSchema, AssignmentSchema } from './assignment.js';
import { BundleFetchRequestSchema, BundleFetchResponseSchema } from './bundle.js';
import { defineContract } from './codec.js';
import { HelloRequestSchema, HelloResponseSchema } from './hello.js';
import { AssignmentNoticeSchema } from './notice.js';
import { RegisterRequestSchema, RegisterResponseSchema } from './register.js';
import { StatusMessageSchema } from './status.js';

/** Every payload that crosses NATS, with its validating codec. */
export const messages = {
  helloRequest: defineContract('hello request', HelloRequestSchema),
  helloResponse: defineContract('hello response', HelloResponseSchema),
  assignment: defineContract('assignment', AssignmentSchema),
  assignmentRequest: defineContract('assignment request', AssignmentRequestSchema),
  assignmentResponse: defineContract('assignment response', AssignmentResponseSchema),
  assignmentNotice: defineContract('assignment notice', AssignmentNoticeSchema),
  bundleFetchRequest: defineContract('bundle fetch request', BundleFetchRequestSchema),
  bundleFetchResponse: defineContract('bundle fetch response', BundleFetchResponseSchema),
  statusMessage: defineContract('status message', StatusMessageSchema),
  registerRequest: defineContract('register request', RegisterRequestSchema),
  registerResponse: defineContract('register response', RegisterResponseSchema),
} as const;
