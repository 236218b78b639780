import type { Knex } from 'knex';
import { customersOfReseller } from '../../auth/scope.ts';
import { type Queryable, selectArrays, sqlConstant } from '../../db/index.ts';
import {
  customerFieldSql,
  type ReportCells,
  type ReportQuery,
  type ReportRow,
  type Source,
  sources,
} from './field-sql.ts';
import type { FieldKey } from './fields.ts';

/**
 * Customers per batch: a statement per batch for the customers and one for each other table a report
 * reads, so a million customers are 2,000 batches. Larger batches were hardly faster (docs/performance.md),
 * and a worker thread's garbage grows with the batch.
 */
export const BATCH_SIZE = 500;

/** The customers a report covers, `c`: the reseller's (or all), with the report's filters. */
function reportCustomers(db: Queryable, query: ReportQuery) {
  const { filters, today } = query;
  const customers = customersOfReseller(db, query.resellerId, 'c');
  if (filters.status) customers.where('c.status', filters.status);
  if (filters.kind) customers.where('c.kind', filters.kind);
  const openInvoices = (pastDue: boolean) =>
    db('invoices')
      .whereRaw('invoices.customer_id = c.id')
      .where('open_cents', '>', sqlConstant(db, 0))
      .modify((q) => (pastDue ? q.where('due_on', '<', today) : q))
      .select(db.raw('1'));
  if (filters.withOpenInvoices) customers.whereExists(openInvoices(false));
  if (filters.withPastDueInvoices) customers.whereExists(openInvoices(true));
  return customers;
}

/** Stand-ins for a batch's bounds while its statements are built (ids are positive). */
const AFTER_ID = Number.MIN_SAFE_INTEGER;
const LAST_ID = AFTER_ID + 1;
const LIMIT = AFTER_ID + 2;
type Bounds = { afterId: number; lastId: number; limit: number };

/**
 * A statement built once per export: Knex takes about 0.6 ms to build the customers' statement, over a
 * second for the 2,000 batches of a million customers. Each batch puts its bounds where the stand-ins were.
 */
function builtOnce(db: Queryable, statement: Knex.QueryBuilder) {
  const { sql, bindings } = statement.toSQL();
  const bound = (value: Knex.Value, bounds: Bounds) =>
    value === AFTER_ID ? bounds.afterId : value === LAST_ID ? bounds.lastId : value === LIMIT ? bounds.limit : value;
  return (bounds: Bounds) =>
    db.raw(
      sql,
      bindings.map((value) => bound(value, bounds)),
    );
}

/**
 * A batch's customers in id order, a row each: the values of the customer's own fields, null where a
 * source's field goes (filled in later), then the customer's id (the keyset cursor).
 */
function customerStatement(db: Queryable, query: ReportQuery) {
  const statement = reportCustomers(db, query)
    .where('c.id', '>', AFTER_ID)
    .orderBy('c.id')
    // Bound, not written into the SQL (db/sqlite-client.ts): each batch puts its own size where the stand-in is.
    .limit(LIMIT, { skipBinding: false })
    .select([...query.fields.map((key) => customerFieldSql[key]?.(db, query) ?? db.raw('null')), 'c.id']);
  if (query.fields.includes('reseller')) statement.join('resellers as r', 'r.id', 'c.reseller_id');
  if (query.fields.some((key) => key === 'external_number' || key === 'external_number_source'))
    statement
      .leftJoin('groups as g', 'g.id', 'c.group_id')
      .leftJoin('external_customer_numbers as gn', 'gn.group_id', 'g.id')
      .leftJoin('institutions as i', 'i.id', db.raw('coalesce(c.institution_id, g.institution_id)'))
      .leftJoin('external_customer_numbers as inn', 'inn.institution_id', 'i.id');
  return builtOnce(db, statement);
}

/**
 * A source's rows for a batch, in customer order: the customer's id, then the report's fields from it.
 * The rows of the batch's id range; when the report leaves customers out (a reseller, a filter), of the
 * report's customers in that range only.
 */
function sourceStatement(db: Queryable, query: ReportQuery, source: Source, keys: FieldKey[]) {
  const customerId = `${source.alias}.customer_id`;
  const statement = source
    .rows(db)
    .select([customerId, ...keys.map((key) => source.fields[key]!(db, query))])
    .where(customerId, '>', AFTER_ID)
    .where(customerId, '<=', LAST_ID)
    .orderBy(customerId);
  const { resellerId, filters } = query;
  if (resellerId !== null || Object.values(filters).some(Boolean))
    statement.whereIn(
      customerId,
      reportCustomers(db, query).where('c.id', '>', AFTER_ID).where('c.id', '<=', LAST_ID).select('c.id'),
    );
  if ('groupBy' in source) statement.groupBy(customerId);
  else statement.orderBy(source.firstBy);
  return builtOnce(db, statement);
}

type SourceRead = { statement: ReturnType<typeof builtOnce>; columns: number[]; none: ReportCells };

/**
 * Puts a source's values into the batch's rows, both in customer order: from a customer's first source row
 * (the only one when grouped), else its `none`, into the `columns` of its fields.
 */
function fillFrom(batch: ReportCells[], idColumn: number, found: ReportCells[], { columns, none }: SourceRead) {
  let next = 0;
  for (const row of batch) {
    const id = row[idColumn] as number;
    while (next < found.length && (found[next][0] as number) < id) next++;
    const match = next < found.length && found[next][0] === id ? found[next] : undefined;
    for (let i = 0; i < columns.length; i++) row[columns[i]] = match ? match[i + 1] : none[i];
  }
}

/** Every statement of a report's batch: its customers, then each source the report's fields need. */
function batchStatements(db: Queryable, query: ReportQuery) {
  const customers = customerStatement(db, query);
  const needed = sources.flatMap((source): SourceRead[] => {
    const keys = query.fields.filter((key) => key in source.fields);
    if (!keys.length) return [];
    const columns = keys.map((key) => query.fields.indexOf(key));
    return [
      {
        statement: sourceStatement(db, query, source, keys),
        columns,
        none: keys.map((key) => source.none[key] ?? null),
      },
    ];
  });
  return { customers, sources: needed };
}

/**
 * A report's rows, a batch of customers at a time in id order (a keyset cursor that works alike on
 * both databases), each row an array of its values as the database computed them: memory holds one
 * batch. A whole report runs on the off-loop pool (export.ts), so pages never wait for it (B5, F5);
 * `limit` stops early (the preview, which is one batch).
 */
export async function* reportBatches(
  db: Queryable,
  query: ReportQuery,
  { limit = Number.POSITIVE_INFINITY, batchSize = BATCH_SIZE } = {},
): AsyncGenerator<ReportCells[]> {
  const idColumn = query.fields.length;
  const statements = batchStatements(db, query);
  let afterId = 0;
  let produced = 0;
  while (produced < limit) {
    const size = Math.min(batchSize, limit - produced);
    const rows = await selectArrays<ReportCells>(statements.customers({ afterId, lastId: 0, limit: size }));
    if (!rows.length) return;
    const lastId = rows[rows.length - 1][idColumn] as number;
    for (const source of statements.sources)
      fillFrom(
        rows,
        idColumn,
        await selectArrays<ReportCells>(source.statement({ afterId, lastId, limit: 0 })),
        source,
      );
    afterId = lastId;
    for (const row of rows) row.length = idColumn;
    yield rows;
    produced += rows.length;
    if (rows.length < size) return;
  }
}

/** reportBatches with each row by field, for the preview's table. */
export async function* reportRows(
  db: Queryable,
  query: ReportQuery,
  options: { limit?: number; batchSize?: number } = {},
): AsyncGenerator<ReportRow[]> {
  for await (const batch of reportBatches(db, query, options))
    yield batch.map((cells) => Object.fromEntries(query.fields.map((key, i) => [key, cells[i]])));
}
