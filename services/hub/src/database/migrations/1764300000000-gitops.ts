import { MigrationInterface, QueryRunner } from 'typeorm';

/** Grants, Git repositories, bindings, their revisions and bundles, and published assignments. */
export class GitOps1764300000000 implements MigrationInterface {
  name = 'GitOps1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tenant_grant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant (id),
        name text NOT NULL,
        cluster_selector jsonb NOT NULL,
        namespaces jsonb NOT NULL,
        cluster_scoped_kinds jsonb NOT NULL,
        rules jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name)
      )`);
    await db.query(`
      CREATE TABLE git_repository (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenant (id),
        name text NOT NULL,
        url text NOT NULL,
        credentials_sealed text,
        webhook_secret_sealed text NOT NULL,
        poll_interval_seconds integer NOT NULL,
        verification jsonb,
        last_commits jsonb NOT NULL DEFAULT '{}',
        last_fetched_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name)
      )`);
    await db.query(`
      CREATE TABLE binding (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant (id),
        name text NOT NULL,
        repository_id uuid NOT NULL REFERENCES git_repository (id),
        ref text NOT NULL,
        path text NOT NULL,
        cluster_selector jsonb NOT NULL,
        namespace text NOT NULL,
        sync_policy jsonb NOT NULL,
        suspended boolean NOT NULL DEFAULT false,
        pinned_revision_id uuid,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name)
      )`);
    await db.query(`CREATE INDEX binding_repository ON binding (repository_id)`);
    await db.query(`
      CREATE TABLE bundle (
        digest text PRIMARY KEY,
        bytes bytea NOT NULL,
        signature text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE revision (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        binding_id uuid NOT NULL REFERENCES binding (id) ON DELETE CASCADE,
        number integer NOT NULL,
        commit text NOT NULL,
        source_key text NOT NULL,
        status text NOT NULL CHECK (status IN ('passed', 'blocked')),
        checks jsonb NOT NULL,
        bundle_digest text REFERENCES bundle (digest),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (binding_id, number)
      )`);
    await db.query(`
      ALTER TABLE binding ADD CONSTRAINT binding_pinned_revision
      FOREIGN KEY (pinned_revision_id) REFERENCES revision (id) ON DELETE SET NULL`);
    // What was last published per cluster: publishing again only when the document changed.
    await db.query(`
      CREATE TABLE assignment_state (
        cluster_id text PRIMARY KEY,
        document_hash text NOT NULL,
        revision integer NOT NULL,
        binding_ids jsonb NOT NULL,
        bundle_digests jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE assignment_state`);
    await db.query(`ALTER TABLE binding DROP CONSTRAINT binding_pinned_revision`);
    await db.query(`DROP TABLE revision`);
    await db.query(`DROP TABLE bundle`);
    await db.query(`DROP TABLE binding`);
    await db.query(`DROP TABLE git_repository`);
    await db.query(`DROP TABLE tenant_grant`);
  }
}
