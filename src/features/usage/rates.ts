import { insertUnlessTaken } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
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

/**
 * Rates the unbilled calls of a price list's services that had no rate (after a rate is added), so the
 * *Unbilled CDRs* tab and the bill run's preview show their price at once.
 */
export async function rateUnratedCalls(db: Queryable, priceListId: number): Promise<number> {
  const table = (await rateTablesFor(db, [priceListId])).get(priceListId)!;
  const calls: { id: number; destination: string; duration_seconds: number }[] = await db('cdrs as c')
    .join('services as s', 's.id', 'c.service_id')
    .where('s.price_list_id', priceListId)
    .whereNull('c.invoice_id')
    .whereNull('c.rated_cents')
    .select('c.id', 'c.destination', 'c.duration_seconds');
  let rated = 0;
  for (const call of calls) {
    const rate = rateFor(table, call.destination);
    if (!rate) continue;
    const { billedSeconds, cents } = rateCall(call.duration_seconds, rate);
    await db('cdrs').where('id', call.id).update({ billed_seconds: billedSeconds, rated_cents: cents });
    rated++;
  }
  return rated;
}
