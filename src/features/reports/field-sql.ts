import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.ts';
import type { FieldKey } from './fields.ts';

/*
 * A report's query and what each of its fields reads (B5), as SQL: the fields read with the customer's own
 * row, and the other tables ("sources") read once per batch. rows.ts builds a batch's statements from these.
 */

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

/** A field's SQL, given the report's query. */
export type FieldSql = (db: Queryable, query: ReportQuery) => Knex.Raw;

/**
 * Fields read with the customer's row: columns of `c`, its reseller `r`, and for the external number its
 * group `g` and institution `i` with their numbers `gn` and `inn`.
 */
export const customerFieldSql: Partial<Record<FieldKey, FieldSql>> = {
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
export type Source = {
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

export const sources: Source[] = [
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
