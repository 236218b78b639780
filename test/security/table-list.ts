import type { Db } from '../../src/db/index.ts';

/** The app's tables, on either database (for checksums in the security tests). */
export async function tablesOf(db: Db): Promise<{ rows: string[] }> {
  const sqlite = db.client.config.client !== 'pg';
  const result = sqlite
    ? await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    : await db.raw('select tablename as name from pg_tables where schemaname = current_schema()');
  const list: { name: string }[] = sqlite ? result : result.rows;
  return { rows: list.map((r) => r.name).sort() };
}
