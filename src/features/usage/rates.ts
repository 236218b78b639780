import type { Knex } from 'knex';
import { insertUnlessTaken } from '../../db/dialect.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { type RateTable, rateCall, rateFor, rateTable } from './rating.ts';

export type UsageRateRow = {
  id: number;
  price_list_id: number;
  prefix: string;
  per_minute_millicents: number;
  minimum_seconds: number;
  increment_seconds: number;
};

/** The usage rates of the given price lists, each as a table for the longest-prefix lookup. */
export async function rateTablesFor(db: Queryable, priceListIds: number[]): Promise<Map<number, RateTable>> {
  const tables = new Map<number, RateTable>(priceListIds.map((id) => [id, new Map()]));
  if (priceListIds.length === 0) return tables;
  const rows: UsageRateRow[] = await db('usage_rates').whereIn('price_list_id', priceListIds);
  const byList = new Map<number, UsageRateRow[]>();
  for (const row of rows) byList.set(row.price_list_id, [...(byList.get(row.price_list_id) ?? []), row]);
  for (const [id, list] of byList) {
    tables.set(
      id,
      rateTable(
        list.map((r) => ({
          prefix: r.prefix,
          perMinuteMillicents: r.per_minute_millicents,
          minimumSeconds: r.minimum_seconds,
          incrementSeconds: r.increment_seconds,
        })),
      ),
    );
  }
  return tables;
}

export type NewUsageRate = {
  price_list_id: number;
  prefix: string;
  per_minute: number;
  minimum_seconds: number;
  increment_seconds: number;
};

/** Adds a rate for a destination prefix; a prefix a price list already has is refused beside the field. */
export async function addUsageRate(
  db: Queryable,
  rate: NewUsageRate,
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const added = await insertUnlessTaken(db, 'usage_rates', {
    price_list_id: rate.price_list_id,
    prefix: rate.prefix,
    per_minute_millicents: rate.per_minute,
    minimum_seconds: rate.minimum_seconds,
    increment_seconds: rate.increment_seconds,
    created_at: nowIso(),
  });
  if (!added) return { ok: false, errors: { prefix: 'This price list already has a rate for this prefix.' } };
  await rateUnratedCalls(db, rate.price_list_id);
  return { ok: true };
}

/** Calls given their price by one UPDATE: far inside the bound-parameter limits of SQLite and PostgreSQL. */
const CALLS_PER_UPDATE = 1_000;

/** What pricing again did: calls priced, and calls left without any rate (the bill run's preview lists them). */
export type Rerated = { rerated: number; unrated: number };

/**
 * Prices again a price list's unbilled calls that `narrow` picks, by its rates as they are now: after a
 * rate is added, edited or deleted, so the *Unbilled CDRs* tab and the bill run's preview show the new
 * price at once. Billed calls keep theirs (their invoices are made). Calls that come to the same seconds
 * and price are written together, a statement per price and thousand calls; a call no rate covers is
 * written unrated, unless `narrow` picked only unrated calls. Run it in the transaction of the change.
 */
export async function priceUnbilledCalls(
  trx: Queryable,
  priceListId: number,
  narrow: (calls: Knex.QueryBuilder) => void,
  { onlyUnrated = false } = {},
): Promise<Rerated> {
  const table = (await rateTablesFor(trx, [priceListId])).get(priceListId)!;
  const calls: { id: number; destination: string; duration_seconds: number }[] = await trx('cdrs as c')
    .join('services as s', 's.id', 'c.service_id')
    .where('s.price_list_id', priceListId)
    .whereNull('c.invoice_id')
    .modify(narrow)
    .select('c.id', 'c.destination', 'c.duration_seconds');
  const byPrice = new Map<string, { billedSeconds: number | null; cents: number | null; ids: number[] }>();
  let unrated = 0;
  for (const call of calls) {
    const rate = rateFor(table, call.destination);
    if (!rate) unrated++;
    if (!rate && onlyUnrated) continue;
    const { billedSeconds, cents } = rate
      ? rateCall(call.duration_seconds, rate)
      : { billedSeconds: null, cents: null };
    const key = `${billedSeconds}/${cents}`;
    const price = byPrice.get(key) ?? { billedSeconds, cents, ids: [] };
    price.ids.push(call.id);
    byPrice.set(key, price);
  }
  for (const { billedSeconds, cents, ids } of byPrice.values())
    for (let from = 0; from < ids.length; from += CALLS_PER_UPDATE)
      await trx('cdrs')
        .whereIn('id', ids.slice(from, from + CALLS_PER_UPDATE))
        .update({ billed_seconds: billedSeconds, rated_cents: cents });
  return { rerated: calls.length - unrated, unrated };
}

/** Rates the unbilled calls of a price list's services that had no rate, in one transaction (after a rate is added). */
export function rateUnratedCalls(db: Queryable, priceListId: number): Promise<Rerated> {
  return inTransaction(db, (trx) =>
    priceUnbilledCalls(trx, priceListId, (calls) => calls.whereNull('c.rated_cents'), { onlyUnrated: true }),
  );
}
