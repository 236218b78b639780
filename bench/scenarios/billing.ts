import { randomCustomerIds } from '../sample.ts';
import type { BenchContext, Scenario } from '../types.ts';

/**
 * Billing at scale (issue 8): the top-bar search over 1,000,000 customers and 5,000,000 invoices, and the
 * Balance page (customer profile in billing) of the customer with 2,000 invoices (the last generated one).
 * Issue 19: Open Invoices and Invoice Summary of random customers, and a payment (a check of one cent on a
 * random open invoice, its own idempotency key each), counted in the database afterwards.
 */
export default async function billingScenarios({ db }: BenchContext): Promise<Scenario[]> {
  const customerIds = await randomCustomerIds(db);
  const invoices: { id: number; customer_id: number }[] = await db('invoices')
    .whereIn('customer_id', customerIds.slice(0, 1000))
    .select('id', 'customer_id');
  const open: { id: number; customer_id: number }[] = await db('invoices')
    .whereIn('customer_id', customerIds)
    .where('open_cents', '>=', 100)
    .select('id', 'customer_id');
  const paidOn = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const big = (await db('customers').max({ id: 'id' }).first()) as { id: number };
  const invoice = (await db('invoices').where('customer_id', big.id).orderBy('id').first('id', 'number')) as
    | { id: number; number: string }
    | undefined;
  const check = (await db('payments').whereNotNull('reference').orderBy('id', 'desc').first('reference')) as
    | { reference: string }
    | undefined;
  const terms = [
    'Acme',
    'harbor dental',
    'Priya',
    'contact4711@',
    'INV-00123',
    '4500123',
    'LD00123',
    check?.reference ?? '123456',
    'zzqx',
    'Summit Labs',
  ];
  const search = terms.map((term) => `/search?q=${encodeURIComponent(term)}`);
  const base = `/customers/${big.id}/billing`;
  const payments: Scenario = {
    name: 'payment POST (a check on an open invoice)',
    as: 'admin@example.com',
    method: 'POST',
    paths: open.map((i) => `/customers/${i.customer_id}/billing/checks`),
    bodies: open.map(
      (i) => `amount=0.01&reference=bench-{uuid}&paid_on=${paidOn}&invoice_ids=${i.id}&idempotency_key={uuid}`,
    ),
    okStatus: 303,
    recorded: async (knex) =>
      Number(
        ((await knex('payments').where('reference', 'like', 'bench-%').count({ n: '*' }).first()) as { n: number }).n,
      ),
  };
  return [
    {
      name: 'Open Invoices, random customers',
      as: 'admin@example.com',
      paths: customerIds.map((id) => `/customers/${id}/billing/open-invoices`),
    },
    {
      name: 'Invoice Summary, random invoices',
      as: 'admin@example.com',
      paths: invoices.map((i) => `/customers/${i.customer_id}/billing/invoices/${i.id}`),
    },
    payments,
    { name: 'global search (admin)', as: 'admin@example.com', paths: search, target: { medianMs: 30 }, probe: true },
    { name: 'global search (reseller)', as: 'reseller@example.com', paths: search, target: { medianMs: 30 } },
    {
      name: 'billing Balance, customer with 2,000 invoices',
      as: 'admin@example.com',
      paths: [base],
      target: { medianMs: 20 },
    },
    {
      name: 'billing Open Invoices, 2,000-invoice customer',
      as: 'admin@example.com',
      paths: [`${base}/open-invoices`],
    },
    { name: 'billing Invoice History, 2,000-invoice customer', as: 'admin@example.com', paths: [`${base}/invoices`] },
    ...(invoice
      ? [{ name: 'billing Invoice Summary', as: 'admin@example.com', paths: [`${base}/invoices/${invoice.id}`] }]
      : []),
  ];
}
