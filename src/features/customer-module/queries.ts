import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.ts';
import { preparedQuery } from '../../db/prepared.ts';
import { notFound } from '../../lib/http-error.ts';
import { type KeysetPage, keysetPage } from '../../lib/keyset.ts';

/** Reads every tab of the Customer Module shares. Functions take the customer already checked for the user. */

/** A row of one of the customer's tables, or 404 when it belongs to another customer. */
export async function ownedRow<T = Record<string, unknown>>(
  db: Queryable,
  table: string,
  customerId: number,
  id: number,
  what: string,
  columns = ['*'],
): Promise<T> {
  const row = Number.isInteger(id) ? await db(table).where({ id, customer_id: customerId }).first(columns) : undefined;
  if (!row) throw notFound(what);
  return row as T;
}

const billTo = preparedQuery<{ customerId: number }, Record<string, unknown>>((db, param) =>
  db('locations')
    .where({ customer_id: param('customerId'), is_bill_to: true })
    .orderBy('id')
    .first(),
);

/** The customer's *Bill To* location (a customer has exactly one); prepared, as every customer page shows it. */
export async function billToLocation(db: Queryable, customerId: number): Promise<Record<string, unknown> | undefined> {
  return (await billTo(db, { customerId }))[0];
}

/** One page of a newest-first list: the rows with `idColumn` below `before` (the last id of the page before). */
export async function newestFirstPage<T extends { id: number }>(
  query: Knex.QueryBuilder,
  idColumn: string,
  before: number | undefined,
  size: number,
): Promise<KeysetPage<T>> {
  if (before) query.where(idColumn, '<', before);
  return keysetPage(await query.orderBy(idColumn, 'desc').limit(size + 1), size);
}
