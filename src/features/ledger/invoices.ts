import type { Actor } from '../../auth/principal.ts';
import { insertNewRows, insertRows } from '../../db/bulk.ts';
import { lockForUpdate, serialiseOn } from '../../db/dialect.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { assertBoundedCents } from '../../lib/money.ts';
import { auditCreatedMany } from '../audit/audit.ts';

export type InvoiceRow = {
  id: number;
  customer_id: number;
  number: string;
  issued_on: string;
  due_on: string;
  po_number: string | null;
  memo: string | null;
  total_cents: number;
  open_cents: number;
  created_by: number | null;
  created_at: string;
};

export type NewInvoiceLine = { description: string; quantity: number; unitCents: number };
export type NewInvoice = {
  customerId: number;
  issuedOn: string;
  dueOn: string;
  poNumber?: string | null;
  memo?: string | null;
  lines: NewInvoiceLine[];
};

/** Invoice numbers follow the row id ("INV-0000042"): unique, sortable, and searchable by prefix. */
export function invoiceNumberFor(id: number): string {
  return `INV-${String(id).padStart(7, '0')}`;
}

/** Creates an invoice with its lines; the whole total is open. In the caller's transaction, if any. */
export async function createInvoice(db: Queryable, input: NewInvoice, actor: Actor): Promise<InvoiceRow> {
  const [invoice] = await createInvoices(db, [input], actor);
  return invoice;
}

/** The invoice's total, after checking that every line (and the total) is a storable amount. */
function checkedTotalCents(input: NewInvoice): number {
  // The form refuses these with a message; checked again here so no caller can store an unshowable amount.
  for (const line of input.lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1)
      throw new RangeError('a line needs a quantity from 1');
    assertBoundedCents(line.unitCents, 'a unit price');
    assertBoundedCents(line.quantity * line.unitCents, 'a line amount');
  }
  const totalCents = input.lines.reduce((sum, line) => sum + line.quantity * line.unitCents, 0);
  assertBoundedCents(totalCents, 'an invoice total');
  if (totalCents <= 0) throw new RangeError('an invoice must total more than zero');
  return totalCents;
}

/**
 * Creates many invoices with their lines (a bill run's chunk of customers), in input order, in the
 * caller's transaction if any: numbers taken once under the lock, rows and audit events written in bulk.
 */
export async function createInvoices(db: Queryable, inputs: NewInvoice[], actor: Actor): Promise<InvoiceRow[]> {
  if (inputs.length === 0) return [];
  const totals = inputs.map(checkedTotalCents);
  return inTransaction(db, async (trx) => {
    await serialiseOn(trx, 'invoice-numbers');
    const last = Number((await trx('invoices').max({ id: 'id' }).first())?.id ?? 0);
    const createdAt = nowIso();
    const values = inputs.map((input, index) => ({
      customer_id: input.customerId,
      number: invoiceNumberFor(last + index + 1),
      issued_on: input.issuedOn,
      due_on: input.dueOn,
      po_number: input.poNumber || null,
      memo: input.memo || null,
      total_cents: totals[index],
      open_cents: totals[index],
      created_by: actor.userId,
      created_at: createdAt,
    }));
    // Numbers are taken under the lock, so every row goes in; read back for the ids.
    const made = await insertNewRows<InvoiceRow>(trx, 'invoices', 'number', values);
    const idOf = new Map(made.map((row) => [row.number, row.id]));
    const invoices = values.map((v) => ({ id: idOf.get(v.number) as number, ...v }));
    await insertRows(
      trx,
      'invoice_lines',
      invoices.flatMap((invoice, i) =>
        inputs[i].lines.map((line, index) => ({
          invoice_id: invoice.id,
          position: index + 1,
          description: line.description,
          quantity: line.quantity,
          unit_cents: line.unitCents,
          amount_cents: line.quantity * line.unitCents,
        })),
      ),
    );
    await auditCreatedMany(
      trx,
      invoices.map((invoice) => ({
        target: { table: 'invoices', id: invoice.id, customerId: invoice.customer_id, actor },
        values: {
          number: invoice.number,
          issued_on: invoice.issued_on,
          due_on: invoice.due_on,
          po_number: invoice.po_number,
          total_cents: invoice.total_cents,
        },
      })),
    );
    return invoices;
  });
}

export type PayableInvoice = InvoiceRow & {
  /** Already promised by pending and scheduled payments. */
  reserved_cents: number;
  /** What may still be paid: the open balance less what pending and scheduled payments will take. */
  payable_cents: number;
};

/**
 * The customer's chosen invoices with what may still be paid on each, oldest due first (the order
 * money is allocated in). Locks the invoice rows on PostgreSQL. Invoices of other customers are left out.
 */
export async function payableInvoices(
  trx: Queryable,
  customerId: number,
  invoiceIds: number[],
): Promise<PayableInvoice[]> {
  if (invoiceIds.length === 0) return [];
  const rows: InvoiceRow[] = await lockForUpdate(
    trx,
    trx<InvoiceRow>('invoices')
      .where('customer_id', customerId)
      .whereIn('id', invoiceIds)
      .orderBy([{ column: 'due_on' }, { column: 'id' }]),
  );
  const reserved = await reservedByInvoice(
    trx,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const reservedCents = reserved.get(row.id) ?? 0;
    return { ...row, reserved_cents: reservedCents, payable_cents: Math.max(0, row.open_cents - reservedCents) };
  });
}

/** Per invoice, the cents that pending and scheduled payments are going to apply. */
export async function reservedByInvoice(db: Queryable, invoiceIds: number[]): Promise<Map<number, number>> {
  if (invoiceIds.length === 0) return new Map();
  const rows: { invoice_id: number; cents: number }[] = await db('payment_applications as pa')
    .join('payments as p', 'p.id', 'pa.payment_id')
    .whereIn('pa.invoice_id', invoiceIds)
    .whereIn('p.status', ['pending', 'scheduled'])
    .groupBy('pa.invoice_id')
    .select('pa.invoice_id', db.raw('sum(pa.amount_cents) as cents'));
  return new Map(rows.map((r) => [r.invoice_id, Number(r.cents)]));
}

/**
 * Splits an amount over invoices in the order given, each taking at most what may still be paid on it.
 * Returns the parts (zero parts left out) and what is left over.
 */
export function allocate(amountCents: number, invoices: Pick<PayableInvoice, 'id' | 'payable_cents'>[]) {
  let left = amountCents;
  const parts: { invoiceId: number; amountCents: number }[] = [];
  for (const invoice of invoices) {
    const part = Math.min(left, invoice.payable_cents);
    if (part > 0) parts.push({ invoiceId: invoice.id, amountCents: part });
    left -= part;
  }
  return { parts, remainderCents: left };
}

/**
 * Takes an amount off an invoice's open balance. The condition makes going below zero impossible; a
 * failure here means the ledger rules were broken, so it throws and the transaction rolls back.
 */
export async function reduceOpenBalance(trx: Queryable, invoiceId: number, amountCents: number): Promise<void> {
  const count = await trx('invoices')
    .where('id', invoiceId)
    .where('open_cents', '>=', amountCents)
    .update({ open_cents: trx.raw('open_cents - ?', [amountCents]) });
  if (count !== 1) throw new Error(`invoice ${invoiceId} has less than ${amountCents} cents open`);
}
