import { z } from 'zod';

/** A message did not match its contract. The message names fields, never their values. */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  constructor(
    readonly contract: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid ${contract}: ${issues.join('; ')}`);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function describe(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
}

function check<S extends z.ZodType>(contract: string, schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ContractViolationError(contract, describe(parsed.error));
  return parsed.data;
}

export interface Contract<S extends z.ZodType> {
  readonly name: string;
  readonly schema: S;
  /** Validates then serialises, so a sender can never put an invalid message on the wire. */
  encode(value: z.input<S>): Uint8Array;
  /** Parses and validates a received payload; throws ContractViolationError on anything else. */
  decode(data: Uint8Array): z.infer<S>;
}

export function defineContract<S extends z.ZodType>(name: string, schema: S): Contract<S> {
  return {
    name,
    schema,
    encode: (value) => encoder.encode(JSON.stringify(check(name, schema, value))),
    decode: (data) => {
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(data));
      } catch {
        throw new ContractViolationError(name, ['(root): payload is not UTF-8 JSON']);
      }
      return check(name, schema, value);
    },
  };
}
