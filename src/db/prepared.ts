import type { Database } from 'better-sqlite3';
import type { Knex } from 'knex';
import { dialectOf } from './dialect.ts';
import type { Queryable } from './index.ts';

/** Stands in for a parameter while the query is built; no user value can start with a NUL character. */
const PARAMETER = '\u0000parameter:';

type Compiled = { sql: string; bindings: readonly unknown[] };
type SqliteClient = {
  acquireConnection(): Promise<Database>;
  releaseConnection(connection: Database): Promise<void>;
  _query(
    connection: Database,
    query: { sql: string; bindings: unknown[]; response?: unknown },
  ): Promise<{
    response: unknown;
  }>;
};

/**
 * A hot statement (a read every signed-in request or every customer view makes), built with Knex once
 * per dialect and then run from its SQL: Knex building a query costs more than SQLite answering it from an
 * index. `build` names each parameter with `param('name')` where a value goes; the query's other values
 * are kept as built. On SQLite the statement runs on the pooled connection through the client, compiled
 * once and kept (sqlite-client.ts); inside a transaction, and on PostgreSQL, through Knex's raw query
 * (one round trip either way). Gives the rows (none for a write).
 */
export function preparedQuery<Params extends Record<string, unknown>, Row>(
  build: (db: Queryable, param: (name: keyof Params & string) => string) => Knex.QueryBuilder | Knex.Raw,
): (db: Queryable, params: Params) => Promise<Row[]> {
  const compiled = new Map<'sqlite' | 'postgres', Compiled>();
  return async (db, params) => {
    const dialect = dialectOf(db);
    let query = compiled.get(dialect);
    if (!query) {
      const { sql, bindings } = build(db, (name) => PARAMETER + name).toSQL();
      query = { sql, bindings };
      compiled.set(dialect, query);
    }
    const bindings = query.bindings.map((value) =>
      typeof value === 'string' && value.startsWith(PARAMETER) ? params[value.slice(PARAMETER.length)] : value,
    ) as Knex.RawBinding[];
    if (dialect === 'postgres') return ((await db.raw(query.sql, bindings)) as { rows: Row[] }).rows;
    if (db.isTransaction) return (await db.raw(query.sql, bindings)) as Row[];
    const client = db.client as SqliteClient;
    const connection = await client.acquireConnection();
    try {
      return (await client._query(connection, { sql: query.sql, bindings })).response as Row[];
    } finally {
      await client.releaseConnection(connection);
    }
  };
}
