import type { Queryable } from '../../db/index.ts';
import { exactPrefix, lowerPrefix } from '../../db/dialect.ts';
import type { SignedInUser } from '../auth/users.ts';
import { scopedCustomers } from '../customers/queries.ts';
import { invoiceNumberFor } from '../invoices/invoices.ts';

export const RESULTS_PER_GROUP = 10;

/**
 * The top-bar search (E1): customers, contacts, invoices and transactions the user may see, grouped.
 * Every group is an index range with a limit, so it stays fast with millions of rows: names and
 * e-mails match from their start, numbers by prefix, a bare number also as an invoice or transaction id.
 */
export async function globalSearch(db: Queryable, user: SignedInUser, q: string) {
  const term = q.trim();
  const upper = term.toUpperCase();
  const digits = /^(?:INV-?|TX-?)?0*(\d{1,9})$/i.exec(term)?.[1];
  const customers = scopedCustomers(db, user)
    .where((w) => w.where(lowerPrefix(db, 'customers.name', term)).orWhere(exactPrefix(db, 'customers.account_number', upper)))
    .orderBy('customers.name')
    .limit(RESULTS_PER_GROUP)
    .select('customers.id', 'customers.name', 'customers.account_number', 'customers.status');
  const contacts = scopedCustomers(db, user, 'c')
    .join('contacts as k', 'k.customer_id', 'c.id')
    .where((w) => w.where(lowerPrefix(db, 'k.name', term)).orWhere(lowerPrefix(db, 'k.email', term)))
    .orderBy('k.name')
    .limit(RESULTS_PER_GROUP)
    .select('k.id', 'k.name', 'k.email', 'c.id as customer_id', 'c.name as customer_name');
  const invoices = scopedCustomers(db, user, 'c')
    .join('invoices as i', 'i.customer_id', 'c.id')
    .where((w) => {
      w.where(exactPrefix(db, 'i.number', upper));
      if (digits) w.orWhere('i.number', invoiceNumberFor(Number(digits)));
    })
    .orderBy('i.number')
    .limit(RESULTS_PER_GROUP)
    .select('i.id', 'i.number', 'i.due_on', 'i.total_cents', 'i.open_cents', 'c.id as customer_id', 'c.name as customer_name');
  const transactions = scopedCustomers(db, user, 'c')
    .join('payments as p', 'p.customer_id', 'c.id')
    .where((w) => {
      w.where('p.reference', term);
      if (digits) w.orWhere('p.id', Number(digits));
    })
    .orderBy('p.id', 'desc')
    .limit(RESULTS_PER_GROUP)
    .select('p.id', 'p.amount_cents', 'p.status', 'p.paid_on', 'p.reference', 'c.id as customer_id', 'c.name as customer_name');
  const [c, k, i, p] = await Promise.all([customers, contacts, invoices, transactions]);
  return { customers: c, contacts: k, invoices: i, transactions: p };
}
