import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import type { Config } from '../config.ts';
import { LedgerSqliteClient } from './sqlite-client.ts';

export type Db = Knex;
export type Tx = Knex.Transaction;
/** Either the database handle or a transaction: domain functions accept both. */
export type Queryable = Knex | Knex.Transaction;

export function createDb(database: Config['database']): Db {
  if (database.kind === 'postgres') {
    return knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 10 } });
  }
  if (database.file !== ':memory:') mkdirSync(dirname(database.file), { recursive: true });
  return knex({
    client: LedgerSqliteClient as unknown as typeof Knex.Client,
    connection: { filename: database.file },
    useNullAsDefault: true,
    // One connection: SQLite has one writer anyway, and a single connection keeps BEGIN IMMEDIATE simple.
    pool: { min: 1, max: 1 },
  });
}
