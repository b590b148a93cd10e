import type { Contract } from '@flotilla/contracts';
import { errors, type NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';

/** The hub did not answer: nobody serves the subject, or the request timed out. */
export class HubUnavailableError extends Error {
  override readonly name = 'HubUnavailableError';
}

function isNoResponders(error: unknown): boolean {
  return (
    error instanceof errors.NoRespondersError ||
    (error instanceof errors.RequestError && error.isNoResponders())
  );
}

/** One request-reply round trip, validated on both sides by the protocol's contracts. */
export async function requestHub<Req extends z.ZodType, Res extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  request: { contract: Contract<Req>; value: z.input<Req> },
  response: Contract<Res>,
  timeoutMs: number,
): Promise<z.infer<Res>> {
  const payload = request.contract.encode(request.value);
  let reply;
  try {
    reply = await nc.request(subject, payload, { timeout: timeoutMs });
  } catch (error) {
    if (isNoResponders(error))
      throw new HubUnavailableError(`no hub is serving ${subject}`, { cause: error });
    if (error instanceof errors.TimeoutError) {
      throw new HubUnavailableError(`hub did not answer ${subject} within ${timeoutMs} ms`, { cause: error });
    }
    throw error;
  }
  return response.decode(reply.data);
}
