import { customersOfReseller } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import { yieldToEventLoop } from '../../lib/event-loop.ts';
import { effectiveExternalNumbers } from '../external-numbers/external-numbers.ts';
import { type FieldGroup, type FieldKey, groupsOf } from './fields.ts';

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

/** Customers per batch: every field group is one query per batch, so a batch costs a fixed number of queries. */
export const BATCH_SIZE = 250;

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

function customerBatch(db: Queryable, query: ReportQuery, afterId: number, limit: number) {
  const { filters, today } = query;
  const customers = customersOfReseller(db, query.resellerId, 'c')
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
    );
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
  return customers as unknown as Promise<CustomerBatchRow[]>;
}

type Filler = (db: Queryable, ids: number[], query: ReportQuery, rows: Map<number, ReportRow>) => Promise<void>;

const set = (rows: Map<number, ReportRow>, id: number, values: ReportRow) => Object.assign(rows.get(id)!, values);

const joined = (parts: (string | null | undefined)[], separator: string) =>
  parts.filter((part) => part !== null && part !== undefined && part !== '').join(separator);

/** One query per field group for a whole batch of customers (never one per customer). */
const fillers: Record<Exclude<FieldGroup, 'customer' | 'external'>, Filler> = {
  async billTo(db, ids, _query, rows) {
    const locations = await db('locations')
      .whereIn('customer_id', ids)
      .where('is_bill_to', true)
      .orderBy('id')
      .select('customer_id', 'line1', 'line2', 'city', 'region', 'postal_code', 'country');
    for (const l of locations.reverse())
      set(rows, l.customer_id, {
        bill_to: joined([l.line1, l.line2, l.city, joined([l.region, l.postal_code], ' '), l.country], ', '),
      });
  },
  async contact(db, ids, _query, rows) {
    const contacts = await db('contacts')
      .whereIn('customer_id', ids)
      .where('is_billing_contact', true)
      .whereNull('access_revoked_at')
      .orderBy('id')
      .select('customer_id', 'name', 'email');
    for (const c of contacts.reverse())
      set(rows, c.customer_id, { billing_contact: c.email ? `${c.name} <${c.email}>` : c.name });
  },
  async services(db, ids, _query, rows) {
    const [services, numbers] = await Promise.all([
      db('services as s')
        .join('service_types as t', 't.id', 's.service_type_id')
        .whereIn('s.customer_id', ids)
        .where('s.status', 'active')
        .orderBy('s.id')
        .select('s.customer_id', 't.name', 's.monthly_cents'),
      db('service_numbers as sn')
        .join('services as s', 's.id', 'sn.service_id')
        .join('phone_numbers as p', 'p.id', 'sn.phone_number_id')
        .whereIn('s.customer_id', ids)
        .where('s.status', 'active')
        .orderBy('p.number')
        .select('s.customer_id', 'p.number', 'sn.monthly_cents'),
    ]);
    for (const id of ids) set(rows, id, { services: '', numbers: '', recurring: 0 });
    for (const s of services) {
      const row = rows.get(s.customer_id)!;
      row.services = joined([row.services as string, s.name], '; ');
      row.recurring = Number(row.recurring) + Number(s.monthly_cents);
    }
    for (const n of numbers) {
      const row = rows.get(n.customer_id)!;
      row.numbers = joined([row.numbers as string, n.number], ' ');
      row.recurring = Number(row.recurring) + Number(n.monthly_cents);
    }
  },
  async invoices(db, ids, { period, today }, rows) {
    const totals = await db('invoices')
      .whereIn('customer_id', ids)
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
    for (const id of ids) set(rows, id, { invoiced: 0, open_balance: 0, past_due: 0, oldest_invoice: null });
    for (const t of totals)
      set(rows, t.customer_id, {
        invoiced: Number(t.invoiced),
        open_balance: Number(t.open_balance),
        past_due: Number(t.past_due),
        oldest_invoice: t.oldest_invoice ?? null,
      });
  },
  async payments(db, ids, { period }, rows) {
    const totals = await db('payments')
      .whereIn('customer_id', ids)
      .where('status', 'settled')
      .whereBetween('paid_on', [period.from, period.to])
      .groupBy('customer_id')
      .select('customer_id', db.raw('sum(amount_cents) as paid'));
    for (const id of ids) set(rows, id, { paid: 0 });
    for (const t of totals) set(rows, t.customer_id, { paid: Number(t.paid) });
  },
};

async function fillExternal(db: Queryable, customers: CustomerBatchRow[], rows: Map<number, ReportRow>) {
  const numbers = await effectiveExternalNumbers(db, customers);
  for (const c of customers) {
    const effective = numbers.get(c.id);
    set(rows, c.id, {
      external_number: effective?.number ?? null,
      external_number_source: effective
        ? `${effective.source === 'group' ? 'Group' : 'Institution'}: ${effective.sourceName}`
        : null,
    });
  }
}

/**
 * A report's rows, a batch of customers at a time in id order (a keyset cursor that works alike on
 * both databases): memory holds one batch, and the event loop gets a turn between queries, so a
 * million-customer CSV streams while pages keep answering (B5, F5). `limit` stops early (the preview).
 */
export async function* reportRows(db: Queryable, query: ReportQuery, limit = Number.POSITIVE_INFINITY) {
  const groups = groupsOf(query.fields);
  let afterId = 0;
  let produced = 0;
  while (produced < limit) {
    const customers = await customerBatch(db, query, afterId, Math.min(BATCH_SIZE, limit - produced));
    if (!customers.length) return;
    const rows = new Map<number, ReportRow>(customers.map((c) => [c.id, { ...c }]));
    const ids = customers.map((c) => c.id);
    if (groups.has('external')) await fillExternal(db, customers, rows);
    for (const group of ['billTo', 'contact', 'services', 'invoices', 'payments'] as const)
      if (groups.has(group)) {
        await fillers[group](db, ids, query, rows);
        await yieldToEventLoop();
      }
    yield [...rows.values()].map((row) => Object.fromEntries(query.fields.map((key) => [key, row[key] ?? null])));
    await yieldToEventLoop();
    produced += customers.length;
    afterId = ids[ids.length - 1];
    if (customers.length < BATCH_SIZE) return;
  }
}
