import { nativeFromSeed } from '@flotilla/contracts';
import { createAccount, createOperator, fromSeed, type KeyPair } from '@nats-io/nkeys';
import { z } from 'zod';

const seed = (prefix: 'SO' | 'SA') =>
  z
    .string()
    .regex(new RegExp(`^${prefix}[A-Z2-7]{56}$`), `must be an nkey seed starting with ${prefix}`)
    .refine((value) => {
      try {
        fromSeed(new TextEncoder().encode(value));
        return true;
      } catch {
        return false;
      }
    }, 'is not a valid nkey seed (checksum)');

const UserPublicKey = z.string().regex(/^U[A-Z2-7]{55}$/, 'must be a user public key');

export const NatsKeyMaterialSchema = z.strictObject({
  version: z.literal(1),
  operatorName: z.string().min(1),
  accountName: z.string().min(1),
  operatorSeed: seed('SO'),
  systemAccountSeed: seed('SA'),
  accountSeed: seed('SA'),
  /** Signs user JWTs, so the account identity key itself is needed only to re-sign the account. */
  accountSigningSeed: seed('SA'),
  /** user public key → unix seconds; every JWT of that user issued at or before it is revoked. */
  revocations: z.record(UserPublicKey, z.number().int().nonnegative()),
});

/** The serialised form: contains seeds — encrypt it at rest and never log it. */
export type NatsKeyMaterialJSON = z.infer<typeof NatsKeyMaterialSchema>;

export interface NatsKeyPairs {
  operator: KeyPair;
  systemAccount: KeyPair;
  account: KeyPair;
  accountSigning: KeyPair;
}

const seedText = (kp: KeyPair) => new TextDecoder().decode(kp.getSeed());
const pair = (text: string) => nativeFromSeed(text);

export function generateKeyMaterial(names: {
  operatorName: string;
  accountName: string;
}): NatsKeyMaterialJSON {
  return {
    version: 1,
    ...names,
    operatorSeed: seedText(createOperator()),
    systemAccountSeed: seedText(createAccount()),
    accountSeed: seedText(createAccount()),
    accountSigningSeed: seedText(createAccount()),
    revocations: {},
  };
}

/** Validates serialised key material; errors name the field, never the seed. */
export function parseKeyMaterial(json: unknown): NatsKeyMaterialJSON {
  const parsed = NatsKeyMaterialSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`);
    throw new TypeError(`invalid NATS key material: ${fields.join('; ')}`);
  }
  return parsed.data;
}

export function keyPairsOf(material: NatsKeyMaterialJSON): NatsKeyPairs {
  return {
    operator: pair(material.operatorSeed),
    systemAccount: pair(material.systemAccountSeed),
    account: pair(material.accountSeed),
    accountSigning: pair(material.accountSigningSeed),
  };
}
