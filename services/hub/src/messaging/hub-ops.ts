import {
  messages,
  type AssignmentRequest,
  type AssignmentResponse,
  type BundleFetchRequest,
  type BundleFetchResponse,
  type Contract,
  type HelloRequest,
  type HelloResponse,
  type HubOp,
} from '@flotilla/contracts';
import type { z } from 'zod';

/** Request and response of each `flotilla.hub.<id>.<op>` operation. */
export interface HubOpTypes {
  hello: { request: HelloRequest; response: HelloResponse };
  assignment: { request: AssignmentRequest; response: AssignmentResponse };
  bundle: { request: BundleFetchRequest; response: BundleFetchResponse };
}

/** Serves one operation; `clusterId` always comes from the subject, never from the payload. */
export type HubOpHandler<Op extends HubOp> = (
  clusterId: string,
  request: HubOpTypes[Op]['request'],
) => Promise<HubOpTypes[Op]['response']>;

interface OpCodec {
  request: Contract<z.ZodType>;
  response: Contract<z.ZodType>;
  /** The answer to a request that breaks the contract, where the protocol has one. */
  invalid?: (message: string) => unknown;
}

export const hubOpCodecs: Record<HubOp, OpCodec> = {
  hello: {
    request: messages.helloRequest,
    response: messages.helloResponse,
    invalid: (message) => ({ status: 'refused', reason: 'invalid-request', message }),
  },
  assignment: { request: messages.assignmentRequest, response: messages.assignmentResponse },
  bundle: {
    request: messages.bundleFetchRequest,
    response: messages.bundleFetchResponse,
    invalid: (message) => ({ status: 'not-found', message }),
  },
};
