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
 * Customers per batch: one statement per batch, so a million customers are 2,000 statements. Larger
 * batches were no faster (docs/performance.md), and a worker thread's garbage grows with the batch.
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

const orZero = (db: Queryable, sql: string, bindings: readonly Knex.RawBinding[] = []) =>
  db.raw(`coalesce((${sql}), 0)`, bindings);

/** The customer's active services, `s`. */
const activeService = "s.customer_id = c.id and s.status = 'active'";

/**
 * Each field as SQL over the report's customer `c`, its reseller `r`, and for the external number its
 * group `g` and institution `i` with their numbers `gn` and `inn`. The database computes every value,
 * a correlated sub-query per customer that the customer_id indexes answer (query plans in
 * docs/performance.md), so each row arrives finished: nothing is merged or looked up per row here.
 */
const fieldSql: Record<FieldKey, (db: Queryable, query: ReportQuery) => Knex.Raw> = {
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
  // The first Bill To location (lowest id) when a customer has several; empty parts are left out.
  bill_to: (db) =>
    db.raw(
      `(select concat_ws(', ', nullif(l.line1, ''), nullif(l.line2, ''), nullif(l.city, ''),
          nullif(concat_ws(' ', nullif(l.region, ''), nullif(l.postal_code, '')), ''), nullif(l.country, ''))
        from locations l where l.customer_id = c.id and l.is_bill_to = ? order by l.id limit 1)`,
      [true],
    ),
  billing_contact: (db) =>
    db.raw(
      `(select case when ct.email <> '' then ct.name || ' <' || ct.email || '>' else ct.name end
        from contacts ct where ct.customer_id = c.id and ct.is_billing_contact = ? and ct.access_revoked_at is null
        order by ct.id limit 1)`,
      [true],
    ),
  services: (db) =>
    db.raw(
      `coalesce((select string_agg(nullif(t.name, ''), '; ' order by s.id)
        from services s join service_types t on t.id = s.service_type_id where ${activeService}), '')`,
    ),
  numbers: (db) =>
    db.raw(
      `coalesce((select string_agg(p.number, ' ' order by p.number)
        from services s join service_numbers sn on sn.service_id = s.id
          join phone_numbers p on p.id = sn.phone_number_id where ${activeService}), '')`,
    ),
  recurring: (db) =>
    db.raw(
      `coalesce((select sum(s.monthly_cents) from services s where ${activeService}), 0)
        + coalesce((select sum(sn.monthly_cents)
          from services s join service_numbers sn on sn.service_id = s.id where ${activeService}), 0)`,
    ),
  invoiced: (db, { period }) =>
    orZero(
      db,
      'select sum(v.total_cents) from invoices v where v.customer_id = c.id and v.issued_on >= ? and v.issued_on <= ?',
      [period.from, period.to],
    ),
  paid: (db, { period }) =>
    orZero(
      db,
      `select sum(p.amount_cents) from payments p
        where p.customer_id = c.id and p.status = 'settled' and p.paid_on >= ? and p.paid_on <= ?`,
      [period.from, period.to],
    ),
  open_balance: (db) => orZero(db, 'select sum(v.open_cents) from invoices v where v.customer_id = c.id'),
  past_due: (db, { today }) =>
    orZero(
      db,
      // The condition inside the sum, not in the where: then the covering index answers, not the partial
      // index of open invoices, which would look up every invoice's row for its open_cents.
      'select sum(case when v.open_cents > 0 and v.due_on < ? then v.open_cents else 0 end) from invoices v where v.customer_id = c.id',
      [today],
    ),
  oldest_invoice: (db) =>
    db.raw('(select min(v.issued_on) from invoices v where v.customer_id = c.id and v.open_cents > 0)'),
};

/** One batch: the report's fields in its column order, then the customer's id (the keyset cursor). */
function batchStatement(db: Queryable, query: ReportQuery, afterId: number, limit: number) {
  const statement = reportCustomers(db, query)
    .where('c.id', '>', afterId)
    .orderBy('c.id')
    .limit(limit)
    .select([...query.fields.map((key) => fieldSql[key](db, query)), 'c.id']);
  if (query.fields.includes('reseller')) statement.join('resellers as r', 'r.id', 'c.reseller_id');
  if (query.fields.some((key) => key === 'external_number' || key === 'external_number_source'))
    statement
      .leftJoin('groups as g', 'g.id', 'c.group_id')
      .leftJoin('external_customer_numbers as gn', 'gn.group_id', 'g.id')
      .leftJoin('institutions as i', 'i.id', db.raw('coalesce(c.institution_id, g.institution_id)'))
      .leftJoin('external_customer_numbers as inn', 'inn.institution_id', 'i.id');
  return statement;
}

/**
 * The batch statement of a report, built once: Knex takes about 0.6 ms to build a statement of this size,
 * over a second for the 2,000 batches of a million customers. The cursor and the limit are its last two
 * bindings (its last condition, then its limit), so each batch only changes those.
 */
function batchStatements(db: Queryable, query: ReportQuery) {
  const { sql, bindings } = batchStatement(db, query, 0, 0).toSQL();
  const fixed = bindings.slice(0, -2);
  return (afterId: number, limit: number) => db.raw(sql, [...fixed, afterId, limit]);
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
  const statement = batchStatements(db, query);
  let afterId = 0;
  let produced = 0;
  while (produced < limit) {
    const size = Math.min(batchSize, limit - produced);
    const rows = await selectArrays<ReportCells>(statement(afterId, size));
    if (!rows.length) return;
    afterId = rows[rows.length - 1][idColumn] as number;
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
