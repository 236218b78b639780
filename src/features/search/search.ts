import type { Knex } from 'knex';
import type { StaffPrincipal } from '../../auth/principal.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import { exactPrefix, lowerPrefix } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
import { searchCustomers } from '../customers/search.ts';
import { invoiceNumberFor } from '../ledger/invoices.ts';

export const RESULTS_PER_GROUP = 10;

/** Two lookups merged: each is an ordered index range that stops after a few rows (an OR would sort every match). */
async function either<T extends { id: number }>(
  first: Knex.QueryBuilder,
  second: Knex.QueryBuilder | null,
): Promise<T[]> {
  const [a, b] = await Promise.all([first, second ?? Promise.resolve([])]);
  const seen = new Set<number>();
  return [...(a as T[]), ...(b as T[])]
    .filter((row) => !seen.has(row.id) && seen.add(row.id))
    .slice(0, RESULTS_PER_GROUP);
}

/**
 * The top-bar search (E1): customers, contacts, invoices and transactions the user may see, grouped.
 * Every lookup is an index walk with a limit, so it stays fast with millions of rows: contacts' names
 * and e-mails match from their start, numbers by prefix, a bare number also as an invoice or transaction id.
 */
export async function globalSearch(db: Queryable, user: StaffPrincipal, q: string) {
  const term = q.trim();
  const upper = term.toUpperCase();
  const digits = /^(?:INV-?|TX-?)?0*(\d{1,9})$/i.exec(term)?.[1];
  // Customers: the same search as the Customers list (name, account number, e-mail, Custom Account ID).
  const customers = searchCustomers(db, user, term).then((found) => found.customers.slice(0, RESULTS_PER_GROUP));
  const contactColumns = ['k.id', 'k.name', 'k.email', 'c.id as customer_id', 'c.name as customer_name'];
  const contacts = either(
    customersVisibleTo(db, user, 'c')
      .join('contacts as k', 'k.customer_id', 'c.id')
      .where(lowerPrefix(db, 'k.name', term))
      .orderByRaw('lower(k.name)')
      .limit(RESULTS_PER_GROUP)
      .select(contactColumns),
    term.includes('@') || !term.includes(' ')
      ? customersVisibleTo(db, user, 'c')
          .join('contacts as k', 'k.customer_id', 'c.id')
          .where(lowerPrefix(db, 'k.email', term))
          .orderByRaw('lower(k.email)')
          .limit(RESULTS_PER_GROUP)
          .select(contactColumns)
      : null,
  );
  const invoiceColumns = [
    'i.id',
    'i.number',
    'i.due_on',
    'i.total_cents',
    'i.open_cents',
    'c.id as customer_id',
    'c.name as customer_name',
  ];
  const invoices = either(
    customersVisibleTo(db, user, 'c')
      .join('invoices as i', 'i.customer_id', 'c.id')
      .where(exactPrefix(db, 'i.number', upper))
      .orderBy('i.number')
      .limit(RESULTS_PER_GROUP)
      .select(invoiceColumns),
    digits
      ? customersVisibleTo(db, user, 'c')
          .join('invoices as i', 'i.customer_id', 'c.id')
          .where('i.number', invoiceNumberFor(Number(digits)))
          .select(invoiceColumns)
      : null,
  );
  const transactionColumns = [
    'p.id',
    'p.amount_cents',
    'p.status',
    'p.paid_on',
    'p.reference',
    'c.id as customer_id',
    'c.name as customer_name',
  ];
  const transactions = either(
    customersVisibleTo(db, user, 'c')
      .join('payments as p', 'p.customer_id', 'c.id')
      .where('p.reference', term)
      .orderBy('p.id', 'desc')
      .limit(RESULTS_PER_GROUP)
      .select(transactionColumns),
    digits
      ? customersVisibleTo(db, user, 'c')
          .join('payments as p', 'p.customer_id', 'c.id')
          .where('p.id', Number(digits))
          .select(transactionColumns)
      : null,
  );
  const [c, k, i, p] = await Promise.all([customers, contacts, invoices, transactions]);
  return { customers: c, contacts: k, invoices: i, transactions: p };
}
