import { MigrationInterface, QueryRunner } from 'typeorm';

export class Audit1764280000001 implements MigrationInterface {
  name = 'Audit1764280000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_event (
        id bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        request_id text,
        actor_kind text NOT NULL,
        actor_name text NOT NULL,
        tenant_id uuid,
        tenant_slug text,
        action text NOT NULL,
        target text,
        outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
        before jsonb,
        after jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_event_tenant ON audit_event (tenant_id, id)`);
    await db.query(`CREATE INDEX audit_event_action ON audit_event (action, id)`);
    await db.query(`CREATE INDEX audit_event_actor ON audit_event (actor_name, id)`);
    // The chain head lets verify notice rows cut from the end, which the chain alone cannot show.
    await db.query(`
      CREATE TABLE audit_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_id bigint NOT NULL,
        last_hash text NOT NULL
      )`);
    await db.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);
    await db.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_head`);
    await db.query(`DROP TABLE audit_event`);
    await db.query(`DROP FUNCTION audit_event_append_only()`);
  }
}
