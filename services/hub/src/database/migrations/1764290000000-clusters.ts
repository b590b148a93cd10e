import { MigrationInterface, QueryRunner } from 'typeorm';

export class Clusters1764290000000 implements MigrationInterface {
  name = 'Clusters1764290000000';

  async up(db: QueryRunner): Promise<void> {
    // id is also the cluster's NATS identity (subjects, KV key): a lowercase UUID is a DNS label.
    await db.query(`
      CREATE TABLE cluster (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        tenant_id uuid REFERENCES tenant (id),
        labels jsonb NOT NULL DEFAULT '{}',
        agent_version text,
        kubernetes_version text,
        node_count integer,
        last_seen_at timestamptz,
        last_seq bigint NOT NULL DEFAULT 0,
        protocol_refusal text,
        credential_public_key text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX cluster_tenant ON cluster (tenant_id, name)`);
    await db.query(`CREATE INDEX cluster_labels ON cluster USING gin (labels)`);
    await db.query(`
      CREATE TABLE cluster_registration_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cluster_id uuid NOT NULL REFERENCES cluster (id) ON DELETE CASCADE,
        secret_hash text NOT NULL UNIQUE,
        bootstrap_public_key text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX cluster_registration_token_cluster ON cluster_registration_token (cluster_id)`,
    );
    await db.query(`
      CREATE TABLE cluster_report (
        cluster_id uuid NOT NULL REFERENCES cluster (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        assignment_revision bigint NOT NULL,
        report jsonb NOT NULL,
        PRIMARY KEY (cluster_id, seq)
      )`);
    // One row: the NATS operator/account seeds, sealed with the hub's SecretBox.
    await db.query(`
      CREATE TABLE nats_authority (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        sealed text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE nats_authority`);
    await db.query(`DROP TABLE cluster_report`);
    await db.query(`DROP TABLE cluster_registration_token`);
    await db.query(`DROP TABLE cluster`);
  }
}
