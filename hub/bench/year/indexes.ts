/**
 * Secondary indexes set aside while a bulk load runs and built again afterwards (one sort per index
 * instead of millions of single inserts). Whatever indexes the migrations made are found in the
 * catalogue, so this follows the current schema; indexes behind a constraint (keys, unique) stay.
 */
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../src/db/database.ts';

export interface SetAside {
  name: string;
  definition: string;
}

export async function dropSecondaryIndexes(db: Db, tables: string[]): Promise<SetAside[]> {
  const list = sql.join(
    tables.map((t) => sql`${t}`),
    sql`, `,
  );
  const rows = await queryRows<SetAside>(
    db,
    sql`SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
          FROM pg_index i
          JOIN pg_class c ON c.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relname IN (${list})
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
  );
  for (const r of rows) await db.execute(sql.raw(`DROP INDEX ${r.name}`));
  return rows;
}

/** Builds them again; a partitioned table's index is made on the table (and so on every partition). */
export async function restoreIndexes(db: Db, indexes: SetAside[]): Promise<void> {
  await db.execute(sql.raw(`SET maintenance_work_mem = '512MB'`));
  for (const r of indexes) await db.execute(sql.raw(r.definition.replace(' ON ONLY ', ' ON ')));
}
