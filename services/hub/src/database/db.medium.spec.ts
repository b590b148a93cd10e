import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from './db.js';

const server = process.env.FLOTILLA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

describe('Db.afterCommit', () => {
  const table = `after_commit_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let db: Db;

  /** What another connection sees: the rows committed so far. */
  const committed = async () =>
    (await dataSource.query(`SELECT id FROM ${table} ORDER BY id`)).map((row: { id: number }) => row.id);
  const insert = (id: number) => db.manager.query(`INSERT INTO ${table} (id) VALUES ($1)`, [id]);

  beforeAll(async () => {
    dataSource = await new DataSource({ type: 'postgres', url: `${server}/test` }).initialize();
    await dataSource.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
    db = new Db(dataSource);
  });
  afterAll(async () => {
    await dataSource?.query(`DROP TABLE IF EXISTS ${table}`);
    await dataSource?.destroy();
  });

  it('runs queued work after the outermost transaction commits, when its rows are visible', async () => {
    const seen: [string, number[]][] = [];
    await db.transaction(async () => {
      await insert(1);
      await db.afterCommit(async () => seen.push(['outer', await committed()]));
      // A nested transaction joins the outer one: its work waits for the outer commit too.
      await db.transaction(async () => {
        await insert(2);
        await db.afterCommit(async () => seen.push(['inner', await committed()]));
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([
      ['outer', [1, 2]],
      ['inner', [1, 2]],
    ]);
  });

  it('drops queued work when the transaction rolls back', async () => {
    const seen: string[] = [];
    const failed = db.transaction(async () => {
      await insert(3);
      await db.afterCommit(() => seen.push('rolled back'));
      throw new Error('abort');
    });
    await expect(failed).rejects.toThrow('abort');
    expect(seen).toEqual([]);
    expect(await committed()).toEqual([1, 2]);
  });

  it('runs at once outside a transaction, and a failing follower does not fail the commit', async () => {
    const seen: string[] = [];
    await db.afterCommit(() => seen.push('now'));
    expect(seen).toEqual(['now']);
    await db.transaction(async () => {
      await insert(4);
      await db.afterCommit(() => {
        throw new Error('listener broke');
      });
      await db.afterCommit(() => seen.push('still runs'));
    });
    expect(seen).toEqual(['now', 'still runs']);
    expect(await committed()).toEqual([1, 2, 4]);
  });
});
