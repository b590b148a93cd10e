import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { SecretBox } from '../crypto/secret-box.js';
import { Db } from '../database/db.js';
import { NatsAuthority } from '../nats/index.js';
import { AuthorityRepository } from './authority.repository.js';

// Authenticated context: the sealed value opens only as this row.
const SEAL_CONTEXT = 'nats-authority';

/**
 * Owns the hub's NatsAuthority: generated on the first start, kept encrypted in the database,
 * shared by every replica. Revocations go through the database row (locked), so replicas never
 * overwrite each other's, and are pushed to NATS when a connection is at hand.
 */
@Injectable()
export class NatsAuthorityService implements OnModuleInit {
  private readonly logger = new Logger('NatsAuthority');
  #authority: NatsAuthority | null = null;
  #claimsUpdater: NatsConnection | null = null;

  constructor(
    private readonly db: Db,
    private readonly repository: AuthorityRepository,
    private readonly box: SecretBox,
  ) {}

  async onModuleInit(): Promise<void> {
    const candidate = this.box.seal(JSON.stringify(NatsAuthority.generate().toJSON()), SEAL_CONTEXT);
    const sealed = await this.repository.insertOrGet(candidate);
    if (sealed === candidate) this.logger.log('generated the NATS operator and account keys');
    this.#authority = this.open(sealed);
  }

  get authority(): NatsAuthority {
    if (!this.#authority) throw new Error('NATS authority not loaded yet');
    return this.#authority;
  }

  /** The system-account connection revocations are pushed through; null while disconnected. */
  useClaimsUpdater(connection: NatsConnection | null): void {
    this.#claimsUpdater = connection;
  }

  /**
   * Revokes NATS users for good: recorded in the database first (so a later push or restart
   * still applies it), then pushed to the server, whose connections of those users close.
   * Inside a caller's transaction pass `push: false` and call `push()` after the commit.
   */
  async revoke(userPublicKeys: string[], opts: { push: boolean } = { push: true }): Promise<void> {
    if (!userPublicKeys.length) return;
    await this.db.transaction(async () => {
      const stored = this.open((await this.repository.read(true))!);
      for (const key of userPublicKeys) stored.recordRevocation(key);
      await this.repository.write(this.box.seal(JSON.stringify(stored.toJSON()), SEAL_CONTEXT));
      this.#authority = stored;
    });
    if (opts.push) await this.push();
  }

  /** Sends the account JWT (with every revocation) to NATS; a failure is logged, retried on reconnect. */
  async push(): Promise<boolean> {
    const connection = this.#claimsUpdater;
    if (!connection || connection.isClosed()) {
      this.logger.warn('NATS not connected: revocation recorded, it is pushed when the hub reconnects');
      return false;
    }
    try {
      await this.authority.pushAccountClaims(connection);
      return true;
    } catch (error) {
      this.logger.error(`could not push account claims to NATS: ${(error as Error).message}`);
      return false;
    }
  }

  private open(sealed: string): NatsAuthority {
    return NatsAuthority.fromJSON(JSON.parse(this.box.open(sealed, SEAL_CONTEXT)));
  }
}
