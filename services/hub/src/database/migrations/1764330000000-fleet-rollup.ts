import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps the fleet view's derived numbers in the database, exact whatever writes the rows:
 *
 * - `deployment_status.shown_sync_state`: the sync state the API shows. `Synced` on a bundle
 *   that the cluster's published assignment (which names this binding) no longer lists shows as
 *   `OutOfSync`: the agent has not caught up. Set by a trigger on every status write and
 *   rewritten for a cluster's rows whenever its `assignment_state` changes, so the state filter
 *   is a plain column comparison instead of a join over the assignment's jsonb lists.
 * - `fleet_rollup`: signed counts per (tenant, binding, commit, shown sync state, health),
 *   appended by triggers on `deployment_status` (+1 for the new key, -1 for the old one).
 *   Appending instead of updating one counter row per key keeps concurrent status writes from
 *   queueing (or deadlocking) on shared counter rows; `fleet_rollup_compact()` folds the deltas
 *   into one row per key, so reading the rollups sums a few rows per binding, not 100,000.
 */
export class FleetRollup1764330000000 implements MigrationInterface {
  name = 'FleetRollup1764330000000';

  async up(db: QueryRunner): Promise<void> {
    // The one definition of the rule, inlined into each statement below (SQL, IMMUTABLE). Bundles
    // carry their binding id, so a digest in the list can only be this binding's.
    await db.query(`
      CREATE FUNCTION fleet_shown_sync_state(
        sync_state text, binding_id uuid, applied_digest text, assigned_bindings jsonb, assigned_bundles jsonb
      ) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN sync_state = 'Synced' AND COALESCE(
            jsonb_exists(assigned_bindings, CAST(binding_id AS text))
            AND NOT jsonb_exists(assigned_bundles, applied_digest), false)
          THEN 'OutOfSync' ELSE sync_state END
      $$`);
    await db.query(`ALTER TABLE deployment_status ADD COLUMN shown_sync_state text`);
    await db.query(`
      UPDATE deployment_status ds SET shown_sync_state = COALESCE(
        (SELECT fleet_shown_sync_state(ds.sync_state, ds.binding_id, ds.applied_digest, a.binding_ids, a.bundle_digests)
         FROM assignment_state a WHERE a.cluster_id = CAST(ds.cluster_id AS text)),
        ds.sync_state)`);
    await db.query(`ALTER TABLE deployment_status ALTER COLUMN shown_sync_state SET NOT NULL`);
    // Only a Synced report can show otherwise, and one that changes neither input keeps the
    // shown state (the assignment trigger below keeps it current): a repeated report costs no
    // lookup. FOR SHARE: a publish of this cluster's assignment waits for this write to commit
    // (its trigger below then sees the row), and this write waits for a publish under way, so
    // neither side decides on a state the other is about to change. Written through INSERT (ON
    // CONFLICT), as the ingest does, the lock comes before the status row's, the order a publish
    // takes them in.
    await db.query(`
      CREATE FUNCTION deployment_status_shown_sync_state() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        shown text;
      BEGIN
        IF TG_OP = 'UPDATE' AND (NEW.sync_state, NEW.applied_digest, NEW.binding_id, NEW.cluster_id)
            IS NOT DISTINCT FROM (OLD.sync_state, OLD.applied_digest, OLD.binding_id, OLD.cluster_id) THEN
          RETURN NEW;
        END IF;
        IF NEW.sync_state = 'Synced' THEN
          SELECT fleet_shown_sync_state(NEW.sync_state, NEW.binding_id, NEW.applied_digest, a.binding_ids, a.bundle_digests)
          INTO shown FROM assignment_state a WHERE a.cluster_id = CAST(NEW.cluster_id AS text) FOR SHARE;
        END IF;
        NEW.shown_sync_state := COALESCE(shown, NEW.sync_state);
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER deployment_status_shown_sync_state BEFORE INSERT OR UPDATE ON deployment_status
      FOR EACH ROW EXECUTE FUNCTION deployment_status_shown_sync_state()`);
    await db.query(`
      CREATE FUNCTION assignment_state_shown_sync_state() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        assigned_bindings jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.binding_ids END;
        assigned_bundles jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.bundle_digests END;
        cluster text := CASE WHEN TG_OP = 'DELETE' THEN OLD.cluster_id ELSE NEW.cluster_id END;
      BEGIN
        UPDATE deployment_status ds
        SET shown_sync_state = fleet_shown_sync_state(
          ds.sync_state, ds.binding_id, ds.applied_digest, assigned_bindings, assigned_bundles)
        WHERE ds.cluster_id = CAST(cluster AS uuid)
          AND ds.shown_sync_state IS DISTINCT FROM fleet_shown_sync_state(
            ds.sync_state, ds.binding_id, ds.applied_digest, assigned_bindings, assigned_bundles);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER assignment_state_shown_sync_state AFTER INSERT OR DELETE ON assignment_state
      FOR EACH ROW EXECUTE FUNCTION assignment_state_shown_sync_state()`);
    // A publish rewrites the whole row; only a changed list can change what is shown.
    await db.query(`
      CREATE TRIGGER assignment_state_shown_sync_state_change AFTER UPDATE ON assignment_state
      FOR EACH ROW WHEN (
        (OLD.binding_ids, OLD.bundle_digests) IS DISTINCT FROM (NEW.binding_ids, NEW.bundle_digests))
      EXECUTE FUNCTION assignment_state_shown_sync_state()`);

    // Pages filtered by state or binding in keyset order without walking the whole matrix: the
    // state indexes hold only the minority (not Synced / not Healthy) rows, which a filter on any
    // other state implies; `state=Synced` / `Healthy` match most rows, so the matrix walk serves
    // them. They replace the (tenant, raw sync state, health) index the view no longer asks.
    await db.query(`DROP INDEX deployment_status_fleet`);
    await db.query(`
      CREATE INDEX deployment_status_unsynced ON deployment_status (tenant_id, binding_id, cluster_id, shown_sync_state)
      WHERE shown_sync_state <> 'Synced'`);
    await db.query(`
      CREATE INDEX deployment_status_unhealthy ON deployment_status (tenant_id, binding_id, cluster_id, health)
      WHERE health <> 'Healthy'`);
    await db.query(
      `CREATE INDEX deployment_status_binding ON deployment_status (binding_id, tenant_id, cluster_id)`,
    );

    await db.query(`
      CREATE TABLE fleet_rollup (
        tenant_id uuid NOT NULL,
        binding_id uuid NOT NULL,
        commit text,
        shown_sync_state text NOT NULL,
        health text NOT NULL,
        clusters integer NOT NULL,
        compacted boolean NOT NULL DEFAULT false
      )`);
    await db.query(`CREATE INDEX fleet_rollup_binding ON fleet_rollup (tenant_id, binding_id)`);
    await db.query(`
      INSERT INTO fleet_rollup (tenant_id, binding_id, commit, shown_sync_state, health, clusters, compacted)
      SELECT tenant_id, binding_id, commit, shown_sync_state, health, count(*), true
      FROM deployment_status GROUP BY 1, 2, 3, 4, 5`);
    await db.query(`
      CREATE FUNCTION deployment_status_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          INSERT INTO fleet_rollup (tenant_id, binding_id, commit, shown_sync_state, health, clusters)
          VALUES (OLD.tenant_id, OLD.binding_id, OLD.commit, OLD.shown_sync_state, OLD.health, -1);
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
          INSERT INTO fleet_rollup (tenant_id, binding_id, commit, shown_sync_state, health, clusters)
          VALUES (NEW.tenant_id, NEW.binding_id, NEW.commit, NEW.shown_sync_state, NEW.health, 1);
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER deployment_status_rollup AFTER INSERT OR DELETE ON deployment_status
      FOR EACH ROW EXECUTE FUNCTION deployment_status_rollup()`);
    await db.query(`
      CREATE TRIGGER deployment_status_rollup_change AFTER UPDATE ON deployment_status
      FOR EACH ROW WHEN (
        (OLD.tenant_id, OLD.binding_id, OLD.commit, OLD.shown_sync_state, OLD.health)
        IS DISTINCT FROM (NEW.tenant_id, NEW.binding_id, NEW.commit, NEW.shown_sync_state, NEW.health))
      EXECUTE FUNCTION deployment_status_rollup()`);
    // One statement: deltas committed meanwhile are not in its snapshot and stay for the next run.
    // Nothing to fold (no delta since the last run) leaves the table untouched.
    await db.query(`
      CREATE FUNCTION fleet_rollup_compact() RETURNS void LANGUAGE sql AS $$
        WITH folded AS (
          DELETE FROM fleet_rollup WHERE EXISTS (SELECT FROM fleet_rollup WHERE NOT compacted) RETURNING *)
        INSERT INTO fleet_rollup (tenant_id, binding_id, commit, shown_sync_state, health, clusters, compacted)
        SELECT tenant_id, binding_id, commit, shown_sync_state, health, sum(clusters), true
        FROM folded GROUP BY 1, 2, 3, 4, 5 HAVING sum(clusters) <> 0
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION fleet_rollup_compact()`);
    await db.query(`DROP TRIGGER deployment_status_rollup_change ON deployment_status`);
    await db.query(`DROP TRIGGER deployment_status_rollup ON deployment_status`);
    await db.query(`DROP FUNCTION deployment_status_rollup()`);
    await db.query(`DROP TABLE fleet_rollup`);
    await db.query(`DROP INDEX deployment_status_binding`);
    await db.query(`DROP INDEX deployment_status_unhealthy`);
    await db.query(`DROP INDEX deployment_status_unsynced`);
    await db.query(
      `CREATE INDEX deployment_status_fleet ON deployment_status (tenant_id, sync_state, health)`,
    );
    await db.query(`DROP TRIGGER assignment_state_shown_sync_state_change ON assignment_state`);
    await db.query(`DROP TRIGGER assignment_state_shown_sync_state ON assignment_state`);
    await db.query(`DROP FUNCTION assignment_state_shown_sync_state()`);
    await db.query(`DROP TRIGGER deployment_status_shown_sync_state ON deployment_status`);
    await db.query(`DROP FUNCTION deployment_status_shown_sync_state()`);
    await db.query(`ALTER TABLE deployment_status DROP COLUMN shown_sync_state`);
    await db.query(`DROP FUNCTION fleet_shown_sync_state(text, uuid, text, jsonb, jsonb)`);
  }
}
