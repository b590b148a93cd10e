import { MigrationInterface, QueryRunner } from 'typeorm';

/** Raw status reports are kept for a retention window; the pruner finds old ones by this index. */
export class ClusterReportRetention1764340000000 implements MigrationInterface {
  name = 'ClusterReportRetention1764340000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX cluster_report_received_at ON cluster_report (received_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX cluster_report_received_at`);
  }
}
