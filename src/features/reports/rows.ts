import type { Knex } from 'knex';
import { customersOfReseller } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import { type EffectiveNumber, effectiveExternalNumbers } from '../external-numbers/external-numbers.ts';
import { type FieldGroup, type FieldKey, fieldGroups, groupsOf } from './fields.ts';

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

/** One report row: text, or cents for the money fields (formatted only at output). */
export type ReportRow = Partial<Record<FieldKey, string | number | null>>;

export const moneyFields: ReadonlySet<FieldKey> = new Set([
  'recurring',
  'invoiced',
  'paid',
  'open_balance',
  'past_due',
]);

/**
 * Customers per batch. Every field group is one set-based query per batch over the batch's id range,
 * so a million customers cost a thousand batches of a handful of queries each. Larger batches were no
 * faster and held more memory (a worker thread's garbage grows with the batch).
 */
export const BATCH_SIZE = 1000;

type CustomerBatchRow = {
  id: number;
  custom_account_id: string | null;
  account_number: string;
  name: string;
  status: string;
  kind: string;
  reseller: string;
  institution_id: number | null;
  group_id: number | null;
};

/** The customers a report covers: the reseller's (or all), with the report's filters. */
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

function customerBatch(db: Queryable, query: ReportQuery, afterId: number, limit: number) {
  return reportCustomers(db, query)
    .join('resellers as r', 'r.id', 'c.reseller_id')
    .where('c.id', '>', afterId)
    .orderBy('c.id')
    .limit(limit)
    .select(
      'c.id',
      'c.custom_account_id',
      'c.account_number',
      'c.name',
      'c.status',
      'c.kind',
      'r.name as reseller',
      'c.institution_id',
      'c.group_id',
    ) as unknown as Promise<CustomerBatchRow[]>;
}

/**
 * A batch as the field groups' queries see it: its customers in id order, each one's position, and the
 * report's customers with ids in (after, last] as a subquery (a keyset range the indexes answer).
 */
type Batch = {
  customers: CustomerBatchRow[];
  position: Map<number, number>;
  customerIds: Knex.QueryBuilder;
  externalCache: Map<string, EffectiveNumber | null>;
};

function batchOf(
  db: Queryable,
  query: ReportQuery,
  afterId: number,
  customers: CustomerBatchRow[],
  externalCache: Batch['externalCache'],
): Batch {
  const customerIds = reportCustomers(db, query)
    .where('c.id', '>', afterId)
    .where('c.id', '<=', customers[customers.length - 1].id)
    .select('c.id');
  return { customers, position: new Map(customers.map((c, i) => [c.id, i])), customerIds, externalCache };
}

/**
 * A batch's values a column per field, a cell per customer in batch order: filling arrays by position
 * keeps the per-row work to a few array writes (merging objects per row cost more than the queries).
 */
type Cell = string | number | null;
type Columns = Partial<Record<FieldKey, Cell[]>>;

const column = <T>(batch: Batch, value: T): T[] => new Array(batch.customers.length).fill(value);

const joined = (parts: (string | null | undefined)[], separator: string) =>
  parts.filter((part) => part !== null && part !== undefined && part !== '').join(separator);

type Filler = (db: Queryable, batch: Batch, query: ReportQuery) => Promise<Columns>;

/** One set-based query per field group for a whole batch of customers (never one per customer). */
const fillers: Record<Exclude<FieldGroup, 'customer'>, Filler> = {
  async external(db, batch) {
    // The number follows from a customer's (institution, group) pair alone, and an export meets the
    // same few pairs again and again: each pair is looked up once per export.
    const pairOf = (c: CustomerBatchRow) => `${c.institution_id}:${c.group_id}`;
    const unseen = new Map<string, CustomerBatchRow>();
    for (const c of batch.customers)
      if (!batch.externalCache.has(pairOf(c)) && !unseen.has(pairOf(c))) unseen.set(pairOf(c), c);
    const numbers = await effectiveExternalNumbers(db, [...unseen.values()]);
    for (const [pair, c] of unseen) batch.externalCache.set(pair, numbers.get(c.id) ?? null);
    const external_number = column<string | null>(batch, null);
    const external_number_source = column<string | null>(batch, null);
    batch.customers.forEach((c, i) => {
      const effective = batch.externalCache.get(pairOf(c));
      if (!effective) return;
      external_number[i] = effective.number;
      external_number_source[i] = `${effective.source === 'group' ? 'Group' : 'Institution'}: ${effective.sourceName}`;
    });
    return { external_number, external_number_source };
  },
  async billTo(db, batch) {
    const locations = await db('locations')
      .whereIn('customer_id', batch.customerIds)
      .where('is_bill_to', true)
      .orderBy('id')
      .select('customer_id', 'line1', 'line2', 'city', 'region', 'postal_code', 'country');
    const bill_to = column<string | null>(batch, null);
    // The first Bill To location (lowest id) wins when a customer has several.
    for (const l of locations)
      bill_to[batch.position.get(l.customer_id)!] ??= joined(
        [l.line1, l.line2, l.city, joined([l.region, l.postal_code], ' '), l.country],
        ', ',
      );
    return { bill_to };
  },
  async contact(db, batch) {
    const contacts = await db('contacts')
      .whereIn('customer_id', batch.customerIds)
      .where('is_billing_contact', true)
      .whereNull('access_revoked_at')
      .orderBy('id')
      .select('customer_id', 'name', 'email');
    const billing_contact = column<string | null>(batch, null);
    for (const c of contacts)
      billing_contact[batch.position.get(c.customer_id)!] ??= c.email ? `${c.name} <${c.email}>` : c.name;
    return { billing_contact };
  },
  async services(db, batch) {
    const [services, numbers] = await Promise.all([
      db('services as s')
        .join('service_types as t', 't.id', 's.service_type_id')
        .whereIn('s.customer_id', batch.customerIds)
        .where('s.status', 'active')
        .orderBy('s.id')
        .select('s.customer_id', 't.name', 's.monthly_cents'),
      db('service_numbers as sn')
        .join('services as s', 's.id', 'sn.service_id')
        .join('phone_numbers as p', 'p.id', 'sn.phone_number_id')
        .whereIn('s.customer_id', batch.customerIds)
        .where('s.status', 'active')
        .orderBy('p.number')
        .select('s.customer_id', 'p.number', 'sn.monthly_cents'),
    ]);
    const columns = { services: column(batch, ''), numbers: column(batch, ''), recurring: column(batch, 0) };
    for (const s of services) {
      const i = batch.position.get(s.customer_id)!;
      columns.services[i] = joined([columns.services[i], s.name], '; ');
      columns.recurring[i] += Number(s.monthly_cents);
    }
    for (const n of numbers) {
      const i = batch.position.get(n.customer_id)!;
      columns.numbers[i] = joined([columns.numbers[i], n.number], ' ');
      columns.recurring[i] += Number(n.monthly_cents);
    }
    return columns;
  },
  async invoices(db, batch, { period, today }) {
    const totals = await db('invoices')
      .whereIn('customer_id', batch.customerIds)
      .groupBy('customer_id')
      .select(
        'customer_id',
        db.raw('sum(case when issued_on >= ? and issued_on <= ? then total_cents else 0 end) as invoiced', [
          period.from,
          period.to,
        ]),
        db.raw('sum(open_cents) as open_balance'),
        db.raw('sum(case when open_cents > 0 and due_on < ? then open_cents else 0 end) as past_due', [today]),
        db.raw('min(case when open_cents > 0 then issued_on end) as oldest_invoice'),
      );
    const columns = {
      invoiced: column(batch, 0),
      open_balance: column(batch, 0),
      past_due: column(batch, 0),
      oldest_invoice: column<string | null>(batch, null),
    };
    for (const t of totals) {
      const i = batch.position.get(t.customer_id)!;
      columns.invoiced[i] = Number(t.invoiced);
      columns.open_balance[i] = Number(t.open_balance);
      columns.past_due[i] = Number(t.past_due);
      columns.oldest_invoice[i] = t.oldest_invoice ?? null;
    }
    return columns;
  },
  async payments(db, batch, { period }) {
    const totals = await db('payments')
      .whereIn('customer_id', batch.customerIds)
      .where('status', 'settled')
      .whereBetween('paid_on', [period.from, period.to])
      .groupBy('customer_id')
      .select('customer_id', db.raw('sum(amount_cents) as paid'));
    const paid = column(batch, 0);
    for (const t of totals) paid[batch.position.get(t.customer_id)!] = Number(t.paid);
    return { paid };
  },
};

const customerFields = ['custom_account_id', 'account_number', 'name', 'status', 'kind', 'reseller'] as const;

/**
 * A report's rows, a batch of customers at a time in id order (a keyset cursor that works alike on
 * both databases): memory holds one batch. A whole report runs on the off-loop pool (export.ts), so
 * pages never wait for it (B5, F5); `limit` stops early (the preview, which is one batch).
 */
export async function* reportRows(
  db: Queryable,
  query: ReportQuery,
  { limit = Number.POSITIVE_INFINITY, batchSize = BATCH_SIZE } = {},
): AsyncGenerator<ReportRow[]> {
  const groups = groupsOf(query.fields);
  const externalCache: Batch['externalCache'] = new Map();
  let afterId = 0;
  let produced = 0;
  while (produced < limit) {
    const customers = await customerBatch(db, query, afterId, Math.min(batchSize, limit - produced));
    if (!customers.length) return;
    const batch = batchOf(db, query, afterId, customers, externalCache);
    const columns: Columns = {};
    for (const key of customerFields) columns[key] = customers.map((c) => c[key]);
    for (const group of fieldGroups)
      if (group !== 'customer' && groups.has(group)) Object.assign(columns, await fillers[group](db, batch, query));
    yield customers.map((_, i) => {
      const row: ReportRow = {};
      for (const key of query.fields) row[key] = columns[key]![i] ?? null;
      return row;
    });
    produced += customers.length;
    afterId = customers[customers.length - 1].id;
    if (customers.length < batchSize) return;
  }
}
