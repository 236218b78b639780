import type { Knex } from 'knex';
import type { StaffPrincipal } from '../../auth/principal.ts';
import { preparedInScope } from '../../auth/scope.ts';
import { inRange, lowerInRange, prefixRange } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
import { searchCustomers } from '../customers/search.ts';
import { invoiceNumberFor } from '../ledger/invoices.ts';

export const RESULTS_PER_GROUP = 10;

/** Two lookups merged: each is an ordered index range that stops after a few rows (an OR would sort every match). */
async function either<T extends { id: number }>(first: Promise<T[]>, second: Promise<T[]> | null): Promise<T[]> {
  const [a, b] = await Promise.all([first, second ?? []]);
  const seen = new Set<number>();
  return [...a, ...b].filter((row) => !seen.has(row.id) && seen.add(row.id)).slice(0, RESULTS_PER_GROUP);
}

type Range = { low: string; high: string };
type ContactHit = { id: number; name: string; email: string | null; customer_id: number; customer_name: string };
type InvoiceHit = {
  id: number;
  number: string;
  due_on: string;
  total_cents: number;
  open_cents: number;
  customer_id: number;
  customer_name: string;
};
type TransactionHit = {
  id: number;
  amount_cents: number;
  status: string;
  paid_on: string | null;
  reference: string | null;
  customer_id: number;
  customer_name: string;
};

// Every lookup is prepared (src/db/prepared.ts): the search runs on each keystroke of the top bar.
const contactColumns = ['k.id', 'k.name', 'k.email', 'c.id as customer_id', 'c.name as customer_name'];
const contactsStartingWith = (column: 'name' | 'email') =>
  preparedInScope<Range, ContactHit>((visible, db, param) =>
    visible('c')
      .join('contacts as k', 'k.customer_id', 'c.id')
      .where(lowerInRange(db, `k.${column}`, param('low'), param('high')))
      .orderByRaw(`lower(k.${column})`)
      .limit(RESULTS_PER_GROUP)
      .select(contactColumns),
  );
const contactsByName = contactsStartingWith('name');
const contactsByEmail = contactsStartingWith('email');

const invoiceColumns = [
  'i.id',
  'i.number',
  'i.due_on',
  'i.total_cents',
  'i.open_cents',
  'c.id as customer_id',
  'c.name as customer_name',
];
const invoicesVisible = (visible: (alias?: string) => Knex.QueryBuilder) =>
  visible('c').join('invoices as i', 'i.customer_id', 'c.id');
const invoicesByNumberStart = preparedInScope<Range, InvoiceHit>((visible, db, param) =>
  invoicesVisible(visible)
    .where(inRange(db, 'i.number', param('low'), param('high')))
    .orderBy('i.number')
    .limit(RESULTS_PER_GROUP)
    .select(invoiceColumns),
);
const invoiceByNumber = preparedInScope<{ number: string }, InvoiceHit>((visible, _db, param) =>
  invoicesVisible(visible).where('i.number', param('number')).select(invoiceColumns),
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
const paymentsVisible = (visible: (alias?: string) => Knex.QueryBuilder) =>
  visible('c').join('payments as p', 'p.customer_id', 'c.id');
const transactionsByReference = preparedInScope<{ reference: string }, TransactionHit>((visible, _db, param) =>
  paymentsVisible(visible)
    .where('p.reference', param('reference'))
    .orderBy('p.id', 'desc')
    .limit(RESULTS_PER_GROUP)
    .select(transactionColumns),
);
const transactionById = preparedInScope<{ id: number }, TransactionHit>((visible, _db, param) =>
  paymentsVisible(visible).where('p.id', param('id')).select(transactionColumns),
);

/**
 * The top-bar search (E1): customers, contacts, invoices and transactions the user may see, grouped.
 * Every lookup is an index walk with a limit, so it stays fast with millions of rows: contacts' names
 * and e-mails match from their start, numbers by prefix, a bare number also as an invoice or transaction id.
 */
export async function globalSearch(db: Queryable, user: StaffPrincipal, q: string) {
  const term = q.trim();
  const digits = /^(?:INV-?|TX-?)?0*(\d{1,9})$/i.exec(term)?.[1];
  // Customers: the same search as the Customers list (name, account number, e-mail, Custom Account ID).
  const customers = searchCustomers(db, user, term).then((found) => found.customers.slice(0, RESULTS_PER_GROUP));
  const lower = prefixRange(term.toLowerCase());
  const contacts = either(
    contactsByName(db, user, lower),
    term.includes('@') || !term.includes(' ') ? contactsByEmail(db, user, lower) : null,
  );
  const invoices = either(
    invoicesByNumberStart(db, user, prefixRange(term.toUpperCase())),
    digits ? invoiceByNumber(db, user, { number: invoiceNumberFor(Number(digits)) }) : null,
  );
  const transactions = either(
    transactionsByReference(db, user, { reference: term }),
    digits ? transactionById(db, user, { id: Number(digits) }) : null,
  );
  const [c, k, i, p] = await Promise.all([customers, contacts, invoices, transactions]);
  return { customers: c, contacts: k, invoices: i, transactions: p };
}
