import type { Knex } from 'knex';
import { customersOfReseller } from '../../auth/scope.ts';
import { type Queryable, selectArrays } from '../../db/index.ts';
import type { FieldKey } from './fields.ts';

/** What a report's rows depend on: whose customers, which filters, which fields, which dates. */
export type ReportQuery = {
  resellerId: number | null;
  filters: ReportFilters;
  fields: readonly FieldKey[];
  period: { from: string; to: string };
  today: string;
};

export type ReportFilters = {
  status?: string;
  kind?: 'business' | 'personal';
  withOpenInvoices?: boolean;
  withPastDueInvoices?: boolean;
};

/** A report row's values in the report's column order: text, or cents for the money fields. */
export type ReportCell = string | number | null;
export type ReportCells = ReportCell[];
/** One report row by field (the preview's table). */
export type ReportRow = Partial<Record<FieldKey, ReportCell>>;

export const moneyFields: ReadonlySet<FieldKey> = new Set([
  'recurring',
  'invoiced',
  'paid',
  'open_balance',
  'past_due',
]);

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
      .where('open_cents', '>', 0)
      .modify((q) => (pastDue ? q.where('due_on', '<', today) : q))
      .select(db.raw('1'));
  if (filters.withOpenInvoices) customers.whereExists(openInvoices(false));
  if (filters.withPastDueInvoices) customers.whereExists(openInvoices(true));
  return customers;
}

/** A field's SQL, given the report's query. */
type FieldSql = (db: Queryable, query: ReportQuery) => Knex.Raw;

/**
 * Fields read with the customer's row: columns of `c`, its reseller `r`, and for the external number its
 * group `g` and institution `i` with their numbers `gn` and `inn`.
 */
const customerFieldSql: Partial<Record<FieldKey, FieldSql>> = {
  custom_account_id: (db) => db.raw('c.custom_account_id'),
  account_number: (db) => db.raw('c.account_number'),
  name: (db) => db.raw('c.name'),
  status: (db) => db.raw('c.status'),
  kind: (db) => db.raw('c.kind'),
  reseller: (db) => db.raw('r.name'),
  // A5, as effectiveNumberOf has it: the group's number wins over the institution's, and the institution
  // is the customer's own, else its group's (a test holds the two to the same answers).
  external_number: (db) => db.raw("case when gn.number <> '' then gn.number when inn.number <> '' then inn.number end"),
  external_number_source: (db) =>
    db.raw(
      "case when gn.number <> '' then 'Group: ' || g.name when inn.number <> '' then 'Institution: ' || i.name end",
    ),
};

/**
 * Fields from another table's rows, `alias`, read for a whole batch in one pass over that table's
 * customer_id index: a sub-query per customer and field cost SQLite more than the rows it read
 * (docs/performance.md). Grouped per customer, or without `groupBy` the customer's first row by
 * `firstBy`; a customer with no row shows `none`.
 */
type Source = {
  alias: string;
  rows: (db: Queryable) => Knex.QueryBuilder;
  fields: Partial<Record<FieldKey, FieldSql>>;
  none: Partial<Record<FieldKey, ReportCell>>;
} & ({ groupBy: true } | { firstBy: string });

/**
 * Only active services count; the condition is inside each aggregate, not in a where, so that the planner
 * has only the customer_id range to choose an index by: with `status = 'active'` in the where, SQLite took
 * the status index when half the services were active (statistics of a larger table), reading every
 * active service for each batch.
 */
const active = "s.status = 'active'";

const sources: Source[] = [
  {
    alias: 's',
    rows: (db) => db('services as s').join('service_types as t', 't.id', 's.service_type_id'),
    groupBy: true,
    fields: {
      services: (db) =>
        db.raw(`coalesce(string_agg(case when ${active} then nullif(t.name, '') end, '; ' order by s.id), '')`),
      // Each service's charge with its numbers' charges.
      recurring: (db) =>
        db.raw(
          `sum(case when ${active} then s.monthly_cents
            + coalesce((select sum(sn.monthly_cents) from service_numbers sn where sn.service_id = s.id), 0) else 0 end)`,
        ),
    },
    none: { services: '', recurring: 0 },
  },
  {
    alias: 's',
    rows: (db) =>
      db('services as s')
        .join('service_numbers as sn', 'sn.service_id', 's.id')
        .join('phone_numbers as p', 'p.id', 'sn.phone_number_id'),
    groupBy: true,
    fields: {
      numbers: (db) => db.raw(`coalesce(string_agg(case when ${active} then p.number end, ' ' order by p.number), '')`),
    },
    none: { numbers: '' },
  },
  {
    alias: 'v',
    rows: (db) => db('invoices as v'),
    groupBy: true,
    // Every condition inside its sum, none in a where: one pass over the covering index answers all four.
    fields: {
      invoiced: (db, { period }) =>
        db.raw('sum(case when v.issued_on >= ? and v.issued_on <= ? then v.total_cents else 0 end)', [
          period.from,
          period.to,
        ]),
      open_balance: (db) => db.raw('sum(v.open_cents)'),
      past_due: (db, { today }) =>
        db.raw('sum(case when v.open_cents > 0 and v.due_on < ? then v.open_cents else 0 end)', [today]),
      oldest_invoice: (db) => db.raw('min(case when v.open_cents > 0 then v.issued_on end)'),
    },
    none: { invoiced: 0, open_balance: 0, past_due: 0, oldest_invoice: null },
  },
  {
    alias: 'p',
    rows: (db) => db('payments as p'),
    groupBy: true,
    // The condition inside the sum, so that the customer_id index answers (with it in a where, SQLite
    // reads the payments of the period by date and sorts them).
    fields: {
      paid: (db, { period }) =>
        db.raw(
          "sum(case when p.status = 'settled' and p.paid_on >= ? and p.paid_on <= ? then p.amount_cents else 0 end)",
          [period.from, period.to],
        ),
    },
    none: { paid: 0 },
  },
  {
    alias: 'l',
    rows: (db) => db('locations as l').where('l.is_bill_to', true),
    // The first Bill To location when a customer has several; empty parts are left out.
    firstBy: 'l.id',
    fields: {
      bill_to: (db) =>
        db.raw(`concat_ws(', ', nullif(l.line1, ''), nullif(l.line2, ''), nullif(l.city, ''),
          nullif(concat_ws(' ', nullif(l.region, ''), nullif(l.postal_code, '')), ''), nullif(l.country, ''))`),
    },
    none: { bill_to: null },
  },
  {
    alias: 'ct',
    rows: (db) => db('contacts as ct').where('ct.is_billing_contact', true).whereNull('ct.access_revoked_at'),
    firstBy: 'ct.id',
    fields: {
      billing_contact: (db) =>
        db.raw("case when ct.email <> '' then ct.name || ' <' || ct.email || '>' else ct.name end"),
    },
    none: { billing_contact: null },
  },
];

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
    .limit(LIMIT)
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
