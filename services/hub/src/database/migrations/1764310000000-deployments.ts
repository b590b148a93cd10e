import { MigrationInterface, QueryRunner } from 'typeorm';

/** What each cluster reports about each of its bindings, and when that changed. */
export class Deployments1764310000000 implements MigrationInterface {
  name = 'Deployments1764310000000';

  async up(db: QueryRunner): Promise<void> {
    // One row per binding × cluster, replaced by every newer report; gone with either side.
    await db.query(`
      CREATE TABLE deployment_status (
        binding_id uuid NOT NULL REFERENCES binding (id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES cluster (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenant (id),
        applied_digest text,
        commit text,
        sync_state text NOT NULL,
        health text NOT NULL,
        objects jsonb NOT NULL,
        error_reason text,
        error_message text,
        durations jsonb NOT NULL,
        report_seq bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (binding_id, cluster_id)
      )`);
    await db.query(`CREATE INDEX deployment_status_cluster ON deployment_status (cluster_id)`);
    // The fleet view asks "what is out of sync / unhealthy in this tenant".
    await db.query(
      `CREATE INDEX deployment_status_fleet ON deployment_status (tenant_id, sync_state, health)`,
    );
    // Append-only: one row whenever the applied digest, sync state or health of a pair changed.
    await db.query(`
      CREATE TABLE sync_history (
        id bigserial PRIMARY KEY,
        binding_id uuid NOT NULL REFERENCES binding (id) ON DELETE CASCADE,
        cluster_id uuid NOT NULL REFERENCES cluster (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenant (id),
        applied_digest text,
        commit text,
        sync_state text NOT NULL,
        health text NOT NULL,
        error_reason text,
        report_seq bigint NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX sync_history_pair ON sync_history (binding_id, cluster_id, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE sync_history`);
    await db.query(`DROP TABLE deployment_status`);
  }
}
