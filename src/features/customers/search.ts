import type { Knex } from 'knex';
import type { StaffPrincipal } from '../../auth/principal.ts';
import { type CustomerRow, customersVisibleTo } from '../../auth/scope.ts';
import { type Queryable, sqlConstant } from '../../db/index.ts';
import { TEXT_INDEX_MIN_LENGTH, whereTextContains } from '../../db/text-search.ts';
import { phoneSearchDigits } from '../../lib/phone.ts';
import { orgsWithNumberContaining, whereEffectiveNumberOf } from '../external-numbers/external-numbers.ts';
import { customersWithNumberContaining } from '../numbers/numbers.ts';
import { customerSearchIndex, NAME_START_SQL } from './search-index.ts';

export const PAGE_SIZE = 25;
/** Pages are bounded: past 1,000 results a narrower term is quicker than paging on. */
export const MAX_PAGE = 40;
export const MAX_TERM_LENGTH = 100;

export type CustomerListRow = Pick<
  CustomerRow,
  'id' | 'account_number' | 'name' | 'kind' | 'status' | 'reseller_id' | 'custom_account_id' | 'email'
> & { reseller_name: string };

export type CustomerSearch = {
  term: string;
  page: number;
  customers: CustomerListRow[];
  hasMore: boolean;
  /** More results exist past the last page allowed: the term should be narrowed. */
  beyondLastPage: boolean;
  /** How the results are ordered, for the page to say so. */
  order: 'name' | 'account-number';
  /** A one-character term: too short to search, so nothing is listed. */
  tooShort: boolean;
  /** A term over MAX_TERM_LENGTH characters: refused (not cut short, not dropped), so nothing is listed. */
  tooLong: boolean;
  /** Quick filter (E1): only customers with an open invoice. */
  openInvoicesOnly: boolean;
};

/** Trims and collapses spaces, so "  acme   plumbing " finds "Acme Plumbing". */
export function normaliseTerm(term: string): string {
  return term.trim().replace(/\s+/g, ' ');
}

/**
 * The customer search every screen uses (Customers list, global search, Customer Module): by name,
 * account number, e-mail, Custom Account ID, phone number or effective external customer number (D1),
 * within what the user may see. No term lists everyone
 * by name; two characters find names starting with them; three or more find the term anywhere in
 * those fields, in account order (the order the text index gives without sorting). Fast at any size:
 * every plan is an index walk that stops after one page.
 */
export async function searchCustomers(
  db: Queryable,
  user: StaffPrincipal,
  rawTerm: string,
  rawPage = 1,
  { openInvoicesOnly = false } = {},
): Promise<CustomerSearch> {
  const term = normaliseTerm(rawTerm);
  const page = Math.min(Math.max(1, Math.trunc(rawPage) || 1), MAX_PAGE);
  const order = term.length >= TEXT_INDEX_MIN_LENGTH ? 'account-number' : 'name';
  if (term.length === 1 || term.length > MAX_TERM_LENGTH)
    return {
      term,
      page,
      customers: [],
      hasMore: false,
      beyondLastPage: false,
      order,
      tooShort: term.length === 1,
      tooLong: term.length > MAX_TERM_LENGTH,
      openInvoicesOnly,
    };

  const listed = () => {
    const query = customersVisibleTo(db, user).select(
      'customers.id',
      'customers.account_number',
      'customers.name',
      'customers.kind',
      'customers.status',
      'customers.reseller_id',
      'customers.custom_account_id',
      'customers.email',
    );
    return openInvoicesOnly
      ? query.whereExists(
          db('invoices')
            .whereRaw('invoices.customer_id = customers.id')
            .where('open_cents', '>', sqlConstant(db, 0))
            .select(db.raw('1')),
        )
      : query;
  };
  type Row = Omit<CustomerListRow, 'reseller_name'>;
  let rows: Row[];
  if (term.length >= TEXT_INDEX_MIN_LENGTH) {
    rows = await textMatches(db, listed, term, page);
  } else {
    const query = term.length === 2 ? listed().whereRaw(`${NAME_START_SQL} = ?`, [term.toLowerCase()]) : listed();
    rows = await query
      .orderBy([{ column: 'customers.name' }, { column: 'customers.id' }])
      .limit(PAGE_SIZE + 1)
      .offset((page - 1) * PAGE_SIZE);
  }
  const customers = rows.slice(0, PAGE_SIZE);
  const names = await resellerNames(
    db,
    customers.map((c) => c.reseller_id),
  );
  return {
    term,
    page,
    customers: customers.map((c) => ({ ...c, reseller_name: names.get(c.reseller_id) ?? '' })),
    hasMore: rows.length > PAGE_SIZE && page < MAX_PAGE,
    beyondLastPage: rows.length > PAGE_SIZE && page === MAX_PAGE,
    order,
    tooShort: false,
    tooLong: false,
    openInvoicesOnly,
  };
}

/**
 * One page (plus one row) of customers containing the term in an indexed column (a phone-like term
 * also as the digits a phone is stored as), in their effective external customer number or in a
 * service number they were given, in account order. The number matches are usually none; when there
 * are some, the lists are read up to the page's end and merged, each still an index walk.
 */
async function textMatches<Row extends { id: number }>(
  db: Queryable,
  listed: () => Knex.QueryBuilder,
  term: string,
  page: number,
): Promise<Row[]> {
  const end = page * PAGE_SIZE + 1;
  const digits = phoneSearchDigits(term);
  const byText = whereTextContains(db, listed(), customerSearchIndex, [term, ...digits]);
  const [orgs, withNumber] = await Promise.all([
    orgsWithNumberContaining(db, term),
    customersWithNumberContaining(db, digits),
  ]);
  const byOrg = orgs.institutionIds.length > 0 || orgs.groupIds.length > 0;
  if (!byOrg && withNumber.length === 0) return byText.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE);
  const lists: Row[][] = await Promise.all([
    byText.limit(end),
    byOrg ? whereEffectiveNumberOf(db, listed(), orgs).orderBy('customers.id').limit(end) : [],
    withNumber.length ? listed().whereIn('customers.id', withNumber).orderBy('customers.id').limit(end) : [],
  ]);
  const merged = new Map(lists.flat().map((row) => [row.id, row]));
  return [...merged.values()].sort((a, b) => a.id - b.id).slice((page - 1) * PAGE_SIZE, end);
}

/** Reseller names for a page of customers: one small lookup, kept out of the search query's plan. */
async function resellerNames(db: Queryable, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows: { id: number; name: string }[] = await db('resellers')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'name');
  return new Map(rows.map((r) => [r.id, r.name]));
}
