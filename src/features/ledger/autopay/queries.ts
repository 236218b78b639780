import { lockForUpdate } from '../../../db/dialect.ts';
import type { Queryable } from '../../../db/index.ts';
import type { InvoiceRow } from '../invoices.ts';
import type { AutopayConfiguration, AutopayInvoice, Condition } from './engine.ts';

/** A configuration as the page shows it: the engine's view plus what only staff and the portal need. */
export type ConfigurationView = AutopayConfiguration & { locked: boolean; version: number };

type ConfigurationRow = {
  id: number;
  customer_id: number;
  payment_method_id: number;
  position: number;
  conditions: string;
  locked: boolean | number;
  disabled: boolean | number;
  version: number;
  kind: 'card' | 'ach';
  friendly_name: string;
  brand: string;
  last4: string;
  exp_month: number | null;
  exp_year: number | null;
  removed_at: string | null;
  replaced_by_id: number | null;
};

/** The key of the one Autopay payment an invoice may get in the cycle of a date (unique in `payments`). */
export function autopayKey(invoiceId: number, cycleDate: string): string {
  return `autopay:${invoiceId}:${cycleDate}`;
}

function toView(row: ConfigurationRow): ConfigurationView {
  return {
    id: row.id,
    customerId: row.customer_id,
    position: row.position,
    disabled: Boolean(Number(row.disabled)),
    locked: Boolean(Number(row.locked)),
    version: row.version,
    conditions: JSON.parse(row.conditions) as Condition[],
    method: {
      id: row.payment_method_id,
      kind: row.kind,
      label: `${row.friendly_name} (${row.brand} ····${row.last4})`,
      removed: row.removed_at !== null || row.replaced_by_id !== null,
      expMonth: row.exp_month,
      expYear: row.exp_year,
    },
  };
}

/** The configurations of some customers in precedence order, each with its payment method. */
export async function configurationsOf(db: Queryable, customerIds: readonly number[]): Promise<ConfigurationView[]> {
  if (customerIds.length === 0) return [];
  const rows: ConfigurationRow[] = await db('autopay_configurations as a')
    .join('payment_methods as m', 'm.id', 'a.payment_method_id')
    .whereIn('a.customer_id', customerIds)
    .orderBy([{ column: 'a.customer_id' }, { column: 'a.position' }, { column: 'a.id' }])
    .select(
      'a.*',
      'm.kind',
      'm.friendly_name',
      'm.brand',
      'm.last4',
      'm.exp_month',
      'm.exp_year',
      'm.removed_at',
      'm.replaced_by_id',
    );
  return rows.map(toView);
}

/** One of the customer's configurations, or undefined. */
export async function configurationOf(
  db: Queryable,
  customerId: number,
  configurationId: number,
): Promise<ConfigurationView | undefined> {
  const all = await configurationsOf(db, [customerId]);
  return all.find((c) => c.id === configurationId);
}

/**
 * The next customers (by id, after `after`) with at least one enabled configuration: the cycle walks
 * them in chunks so that no single read or transaction grows with the whole database.
 */
export function customersWithAutopay(db: Queryable, after: number, limit: number): Promise<number[]> {
  return db('autopay_configurations')
    .where('customer_id', '>', after)
    .where('disabled', false)
    .distinct('customer_id')
    .orderBy('customer_id')
    .limit(limit)
    .pluck('customer_id');
}

/**
 * Invoices as the engine sees them on a cycle date: what pending and scheduled payments promise, the
 * line item names, and whether this cycle already made a payment for it. Four reads for any number of
 * invoices, never one per invoice.
 */
export async function autopayInvoicesFor(
  db: Queryable,
  invoices: readonly EngineInvoiceRow[],
  cycleDate: string,
): Promise<AutopayInvoice[]> {
  const ids = invoices.map((i) => i.id);
  if (ids.length === 0) return [];
  // One after the other: inside the cycle's transaction they share one PostgreSQL connection.
  const reserved: { invoice_id: number; status: string; cents: number }[] = await db('payment_applications as pa')
    .join('payments as p', 'p.id', 'pa.payment_id')
    .whereIn('pa.invoice_id', ids)
    .whereIn('p.status', ['pending', 'scheduled'])
    .groupBy('pa.invoice_id', 'p.status')
    .select('pa.invoice_id', 'p.status', db.raw('sum(pa.amount_cents) as cents'));
  const lines: { invoice_id: number; description: string }[] = await db('invoice_lines')
    .whereIn('invoice_id', ids)
    .orderBy(['invoice_id', 'position'])
    .select('invoice_id', 'description');
  const tried: string[] = await db('payments')
    .whereIn(
      'idempotency_key',
      ids.map((id) => autopayKey(id, cycleDate)),
    )
    .pluck('idempotency_key');
  const pending = new Map<number, number>();
  const scheduled = new Map<number, number>();
  for (const r of reserved) (r.status === 'pending' ? pending : scheduled).set(r.invoice_id, Number(r.cents));
  const names = new Map<number, string[]>();
  for (const l of lines) {
    const list = names.get(l.invoice_id) ?? [];
    list.push(l.description);
    names.set(l.invoice_id, list);
  }
  const triedKeys = new Set(tried);
  return invoices.map((i) => ({
    id: i.id,
    number: i.number,
    customerId: i.customer_id,
    totalCents: i.total_cents,
    openCents: i.open_cents,
    pendingCents: pending.get(i.id) ?? 0,
    scheduledCents: scheduled.get(i.id) ?? 0,
    issuedOn: i.issued_on,
    contract: i.po_number,
    lineItems: names.get(i.id) ?? [],
    triedThisCycle: triedKeys.has(autopayKey(i.id, cycleDate)),
  }));
}

/** The columns of an invoice the engine reads. */
const engineInvoiceColumns = [
  'id',
  'number',
  'customer_id',
  'total_cents',
  'open_cents',
  'issued_on',
  'po_number',
] as const;
type EngineInvoiceRow = Pick<InvoiceRow, (typeof engineInvoiceColumns)[number]>;

/**
 * The open invoices of some customers, oldest due first, for the engine. Inside a cycle's transaction
 * the rows are locked on PostgreSQL, so a payment made beside the cycle waits instead of overpaying.
 * `open_cents > 0` is written out, not bound, so that the partial index of open invoices by customer and
 * due date answers it in order (SQLite cannot match a bound value to the index's condition, and sorted
 * 100,000 rows of the cycle in a temporary tree).
 */
export async function openAutopayInvoices(
  db: Queryable,
  customerIds: readonly number[],
  cycleDate: string,
  limitPerCall = 50_000,
): Promise<AutopayInvoice[]> {
  if (customerIds.length === 0) return [];
  const query = db('invoices')
    .whereIn('customer_id', customerIds)
    .whereRaw('open_cents > 0')
    .orderBy([{ column: 'customer_id' }, { column: 'due_on' }, { column: 'id' }])
    .limit(limitPerCall)
    .select(engineInvoiceColumns);
  const rows: EngineInvoiceRow[] = db.isTransaction ? await lockForUpdate(db, query) : await query;
  return autopayInvoicesFor(db, rows, cycleDate);
}

/** The line item names this customer has been billed for (lower-cased), to check a configuration against. */
export async function knownLineItems(db: Queryable, customerId: number): Promise<string[]> {
  const rows: string[] = await db('invoice_lines as l')
    .join('invoices as i', 'i.id', 'l.invoice_id')
    .where('i.customer_id', customerId)
    .distinct('l.description')
    .orderBy('l.description')
    .limit(500)
    .pluck('l.description');
  return rows;
}
