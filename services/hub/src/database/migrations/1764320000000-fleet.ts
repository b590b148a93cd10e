import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the fleet view (10,000 clusters × 10 bindings = 100,000 status rows): pages walk
 * (tenant, binding, cluster) in index order, and the revision number of an applied bundle is
 * one index probe per row.
 */
export class Fleet1764320000000 implements MigrationInterface {
  name = 'Fleet1764320000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX deployment_status_matrix ON deployment_status (tenant_id, binding_id, cluster_id)`,
    );
    await db.query(`CREATE INDEX revision_bundle ON revision (binding_id, bundle_digest)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX revision_bundle`);
    await db.query(`DROP INDEX deployment_status_matrix`);
  }
}
