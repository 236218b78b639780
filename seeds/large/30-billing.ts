import type { Knex } from 'knex';
import { invoiceNumberFor } from '../../src/features/ledger/invoices.ts';
import { addDays } from '../../src/lib/dates.ts';
import type { LargeSeedOptions } from './types.ts';

/** Invoices per customer; the last customer gets BIG_CUSTOMER_INVOICES (the "profile with 2,000 invoices" benchmark). */
const INVOICES_PER_CUSTOMER = 5;
export const BIG_CUSTOMER_INVOICES = 2_000;
const CUSTOMERS_PER_TRANSACTION = 5_000;
// SQLite allows 32,766 bound values per statement; PostgreSQL 65,535.
const VALUES_PER_STATEMENT = 30_000;

const DESCRIPTIONS = [
  'Business fibre',
  'Hosted PBX seats',
  'Call charges',
  'SIP trunk',
  'Broadband',
  'Number rental',
  'Support plan',
];

/**
 * Multi-row INSERT … VALUES (…), (…) written directly: Knex's SQLite insert builds a UNION ALL
 * select, limited to 500 rows and several times slower.
 */
async function insertMany(trx: Knex.Transaction, table: string, rows: Record<string, Knex.Value>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const perStatement = Math.floor(VALUES_PER_STATEMENT / columns.length);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const bindings = chunk.flatMap((row) => columns.map((c) => row[c] ?? null));
    await trx.raw(
      `insert into ?? (${columns.map(() => '??').join(', ')}) values ${chunk.map(() => tuple).join(', ')}`,
      [table, ...columns, ...bindings],
    );
  }
}

/**
 * A ledger for every generated customer that adds up like a real one: five invoices each (one line
 * apiece), about 70 % paid, 10 % partly paid, the rest open (some past due); what is paid is one settled
 * check per customer applied to those invoices. Rows are written in multi-row inserts, 5,000 customers
 * per transaction, with explicit ids so that no read-back is needed.
 */
export async function generate(db: Knex, { customers, random }: LargeSeedOptions): Promise<void> {
  const ids = (await db('customers').max({ last: 'id' }).first()) as { last: number };
  const lastCustomer = Number(ids.last);
  const firstCustomer = lastCustomer - customers + 1;
  const next = async (table: string) =>
    Number(((await db(table).max({ id: 'id' }).first()) as { id: number | null }).id ?? 0) + 1;
  let invoiceId = await next('invoices');
  let lineId = await next('invoice_lines');
  let paymentId = await next('payments');
  const today = new Date().toISOString().slice(0, 10);
  const now = new Date().toISOString();

  for (let from = firstCustomer; from <= lastCustomer; from += CUSTOMERS_PER_TRANSACTION) {
    const to = Math.min(lastCustomer, from + CUSTOMERS_PER_TRANSACTION - 1);
    const invoices: Record<string, Knex.Value>[] = [];
    const lines: Record<string, Knex.Value>[] = [];
    const payments: Record<string, Knex.Value>[] = [];
    const applications: Record<string, Knex.Value>[] = [];
    for (let customerId = from; customerId <= to; customerId++) {
      const count = customerId === lastCustomer ? BIG_CUSTOMER_INVOICES : INVOICES_PER_CUSTOMER;
      const paid: { invoice: number; cents: number }[] = [];
      for (let k = 0; k < count; k++) {
        const id = invoiceId++;
        const issuedOn = addDays(today, -Math.floor(random() * 720));
        const totalCents = 1_000 + Math.floor(random() * 49_000);
        const roll = random();
        const paidCents = roll < 0.7 ? totalCents : roll < 0.8 ? Math.floor(totalCents / 2) : 0;
        invoices.push({
          id,
          customer_id: customerId,
          number: invoiceNumberFor(id),
          issued_on: issuedOn,
          due_on: addDays(issuedOn, 30),
          po_number: random() < 0.3 ? `PO-${id % 100_000}` : null,
          total_cents: totalCents,
          open_cents: totalCents - paidCents,
          created_at: now,
        });
        lines.push({
          id: lineId++,
          invoice_id: id,
          position: 1,
          description: DESCRIPTIONS[id % DESCRIPTIONS.length],
          quantity: 1,
          unit_cents: totalCents,
          amount_cents: totalCents,
        });
        if (paidCents > 0) paid.push({ invoice: id, cents: paidCents });
      }
      if (paid.length) {
        const id = paymentId++;
        payments.push({
          id,
          customer_id: customerId,
          amount_cents: paid.reduce((s, p) => s + p.cents, 0),
          method: 'check',
          reference: String(100_000 + (id % 900_000)),
          status: 'settled',
          source: 'external',
          paid_on: today,
          idempotency_key: `large-${id}`,
          settled_at: now,
          created_at: now,
        });
        for (const p of paid) applications.push({ payment_id: id, invoice_id: p.invoice, amount_cents: p.cents });
      }
    }
    await db.transaction(async (trx) => {
      await insertMany(trx, 'invoices', invoices);
      await insertMany(trx, 'invoice_lines', lines);
      await insertMany(trx, 'payments', payments);
      await insertMany(trx, 'payment_applications', applications);
    });
  }
}
