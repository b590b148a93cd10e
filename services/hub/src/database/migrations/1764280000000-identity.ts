import { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1764280000000 implements MigrationInterface {
  name = 'Identity1764280000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tenant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE,
        display_name text NOT NULL,
        quotas jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE hub_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE,
        display_name text,
        email text,
        source text NOT NULL CHECK (source IN ('local', 'oidc')),
        password_hash text,
        disabled_at timestamptz,
        session_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE hub_group (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        source text NOT NULL DEFAULT 'oidc',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE group_member (
        group_id uuid NOT NULL REFERENCES hub_group (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES hub_user (id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, user_id)
      )`);
    await db.query(`CREATE INDEX group_member_user ON group_member (user_id)`);
    await db.query(`
      CREATE TABLE api_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenant (id),
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_by text NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A name is reusable once its token is revoked; platform tokens (tenant NULL) share one namespace.
    await db.query(
      `CREATE UNIQUE INDEX api_token_name ON api_token (tenant_id, name) NULLS NOT DISTINCT WHERE revoked_at IS NULL`,
    );
    await db.query(`
      CREATE TABLE role (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenant (id),
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        permissions text[] NOT NULL,
        builtin boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE NULLS NOT DISTINCT (tenant_id, name)
      )`);
    await db.query(`
      CREATE TABLE role_binding (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenant (id),
        role_id uuid NOT NULL REFERENCES role (id),
        subject_kind text NOT NULL CHECK (subject_kind IN ('user', 'group', 'token')),
        subject_id uuid NOT NULL,
        subject_name text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE NULLS NOT DISTINCT (tenant_id, role_id, subject_kind, subject_id)
      )`);
    await db.query(`CREATE INDEX role_binding_subject ON role_binding (subject_kind, subject_id)`);
    await db.query(`
      CREATE TABLE hub_setting (
        key text PRIMARY KEY,
        value text NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'hub_setting',
      'role_binding',
      'role',
      'api_token',
      'group_member',
      'hub_group',
      'hub_user',
      'tenant',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
