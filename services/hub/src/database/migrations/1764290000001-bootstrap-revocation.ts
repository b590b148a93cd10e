import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A used token's bootstrap NATS user is revoked once the agent's own credential has connected
 * (its first accepted hello), not at registration: until then the agent may need to retry the
 * registration whose answer it lost.
 */
export class BootstrapRevocation1764290000001 implements MigrationInterface {
  name = 'BootstrapRevocation1764290000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE cluster_registration_token ADD COLUMN bootstrap_revoked_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE cluster_registration_token DROP COLUMN bootstrap_revoked_at`);
  }
}
