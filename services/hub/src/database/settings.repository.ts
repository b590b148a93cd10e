import { Injectable } from '@nestjs/common';
import { Db } from './db.js';

/** Small hub-wide values that every replica must agree on (e.g. the generated JWT key). */
@Injectable()
export class SettingsRepository {
  constructor(private readonly db: Db) {}

  /** Stores `candidate` unless a value exists; either way returns the value all replicas use. */
  async getOrInsert(key: string, candidate: string): Promise<string> {
    await this.db.manager.query(
      'INSERT INTO hub_setting (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [key, candidate],
    );
    const [row]: { value: string }[] = await this.db.manager.query(
      'SELECT value FROM hub_setting WHERE key = $1',
      [key],
    );
    return row!.value;
  }
}
