import type { BenchContext, Scenario } from '../types.ts';

/**
 * Billing at scale (issue 8): the top-bar search over 1,000,000 customers and 5,000,000 invoices, and the
 * Balance page (customer profile in billing) of the customer with 2,000 invoices (the last generated one).
 */
export default async function billingScenarios({ db }: BenchContext): Promise<Scenario[]> {
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
  return [
    { name: 'global search (admin)', as: 'admin@example.com', paths: search, target: { medianMs: 30 } },
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
