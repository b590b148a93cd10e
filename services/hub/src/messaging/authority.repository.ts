import { Injectable } from '@nestjs/common';
import { Db } from '../database/db.js';

/** The single `nats_authority` row: the NATS key material, sealed by the SecretBox. */
@Injectable()
export class AuthorityRepository {
  constructor(private readonly db: Db) {}

  /** Stores `sealed` unless a row exists; returns the row every replica uses. */
  async insertOrGet(sealed: string): Promise<string> {
    await this.db.manager.query('INSERT INTO nats_authority (sealed) VALUES ($1) ON CONFLICT DO NOTHING', [
      sealed,
    ]);
    return (await this.read(false))!;
  }

  /** With `forUpdate`, holds the row until the transaction ends (revocations serialise on it). */
  async read(forUpdate: boolean): Promise<string | null> {
    const rows: { sealed: string }[] = await this.db.manager.query(
      `SELECT sealed FROM nats_authority WHERE singleton${forUpdate ? ' FOR UPDATE' : ''}`,
    );
    return rows[0]?.sealed ?? null;
  }

  async write(sealed: string): Promise<void> {
    await this.db.manager.query('UPDATE nats_authority SET sealed = $1, updated_at = now() WHERE singleton', [
      sealed,
    ]);
  }
}
