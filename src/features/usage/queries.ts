import type { Queryable } from '../../db/index.ts';
import { type KeysetPage, keysetPage } from '../../lib/keyset.ts';
import type { BadRow } from './import.ts';
import type { UsageRateRow } from './rates.ts';

const PAGE = 50;

export type UnbilledCdr = {
  id: number;
  call_id: string;
  number: string;
  destination: string;
  started_at: string;
  duration_seconds: number;
  billed_seconds: number | null;
  rated_cents: number | null;
};

/** A customer's calls not yet on an invoice, newest first, a page at a time (D4 *Unbilled CDRs*). */
export async function unbilledCdrs(
  db: Queryable,
  customerId: number,
  before?: number,
): Promise<KeysetPage<UnbilledCdr>> {
  const rows = await db('cdrs')
    .where('customer_id', customerId)
    .whereNull('invoice_id')
    .modify((q) => {
      if (before) q.where('id', '<', before);
    })
    .orderBy('id', 'desc')
    .limit(PAGE + 1)
    .select(
      'id',
      'call_id',
      'number',
      'destination',
      'started_at',
      'duration_seconds',
      'billed_seconds',
      'rated_cents',
    );
  return keysetPage(rows, PAGE);
}

/** How many unbilled calls a customer has, what they come to, and how many still lack a rate. */
export async function unbilledSummary(db: Queryable, customerId: number) {
  const row = await db('cdrs')
    .where('customer_id', customerId)
    .whereNull('invoice_id')
    .first(
      db.raw('count(*) as calls'),
      db.raw('coalesce(sum(rated_cents), 0) as cents'),
      db.raw('sum(case when rated_cents is null then 1 else 0 end) as unrated'),
    );
  return { calls: Number(row?.calls ?? 0), cents: Number(row?.cents ?? 0), unrated: Number(row?.unrated ?? 0) };
}

export type ImportRow = {
  id: number;
  filename: string;
  status: string;
  rows_read: number;
  rows_imported: number;
  duplicates: number;
  bad_rows: number;
  bad_row_detail: BadRow[];
  created_at: string;
  created_by_name: string | null;
};

/** The latest imports, newest first, with their bad rows. */
export async function recentImports(db: Queryable, before?: number): Promise<KeysetPage<ImportRow>> {
  const rows = await db('cdr_imports as i')
    .leftJoin('users as u', 'u.id', 'i.created_by')
    .modify((q) => {
      if (before) q.where('i.id', '<', before);
    })
    .orderBy('i.id', 'desc')
    .limit(11)
    .select('i.*', 'u.name as created_by_name');
  return keysetPage(
    rows.map((row: Omit<ImportRow, 'bad_row_detail'> & { bad_row_detail: string }) => ({
      ...row,
      bad_row_detail: JSON.parse(row.bad_row_detail) as BadRow[],
    })),
    10,
  );
}

export async function findImport(db: Queryable, id: number): Promise<ImportRow | undefined> {
  const row = await db('cdr_imports as i')
    .leftJoin('users as u', 'u.id', 'i.created_by')
    .where('i.id', id)
    .first('i.*', 'u.name as created_by_name');
  return row ? { ...row, bad_row_detail: JSON.parse(row.bad_row_detail) } : undefined;
}

export function priceListsForRates(db: Queryable): Promise<{ id: number; name: string }[]> {
  return db('price_lists').orderBy('name').select('id', 'name');
}

export type EditableUsageRate = UsageRateRow & { version: number };

const RATES_PAGE = 500;

/**
 * A price list's usage rates in prefix order, a page at a time after the prefix given (a price list has
 * tens to a few thousand; each row with its edit and delete controls is about 1.3 KB of HTML).
 */
export async function usageRatesOf(
  db: Queryable,
  priceListId: number,
  after?: string,
): Promise<{ rows: EditableUsageRate[]; more: boolean }> {
  const rows = await db('usage_rates')
    .where('price_list_id', priceListId)
    .modify((q) => {
      if (after) q.where('prefix', '>', after);
    })
    .orderBy('prefix')
    .limit(RATES_PAGE + 1);
  return { rows: rows.slice(0, RATES_PAGE), more: rows.length > RATES_PAGE };
}

export function findUsageRate(db: Queryable, id: number): Promise<EditableUsageRate | undefined> {
  return db('usage_rates').where('id', id).first();
}
