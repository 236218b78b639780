import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolation } from '../../db/dialect.ts';
import { inTransaction, type Queryable, type Tx } from '../../db/index.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { deleteAudited, type Stale, staleAsOutcome, updateAudited } from '../audit/audit.ts';
import { rateTablesFor, type UsageRateRow } from './rates.ts';
import { rateCall, rateFor } from './rating.ts';

/** What re-rating did: calls priced again, and calls left without any rate (the bill run's preview lists them). */
export type Rerated = { rerated: number; unrated: number };

export type UsageRateChanges = {
  prefix: string;
  per_minute: number;
  minimum_seconds: number;
  increment_seconds: number;
  version: number;
};

const taken = { ok: false as const, errors: { prefix: 'This price list already has a rate for this prefix.' } };

/**
 * Changes a usage rate and prices again, in the same transaction, the unbilled calls it may concern
 * (destinations starting with its old or new prefix). Billed calls keep their price: their invoices
 * are made. A prefix the price list already has is refused beside the field; a stale version too.
 */
export async function updateUsageRate(
  db: Queryable,
  rate: UsageRateRow,
  changes: UsageRateChanges,
  actor: Actor,
): Promise<({ ok: true } & Rerated) | Stale | { ok: false; errors: FieldErrors }> {
  let rerated: Rerated = { rerated: 0, unrated: 0 };
  try {
    const saved = await staleAsOutcome(() =>
      inTransaction(db, async (trx) => {
        const target = { table: 'usage_rates', id: rate.id, actor, expectedVersion: changes.version };
        await updateAudited(trx, target, {
          prefix: changes.prefix,
          per_minute_millicents: changes.per_minute,
          minimum_seconds: changes.minimum_seconds,
          increment_seconds: changes.increment_seconds,
        });
        rerated = await rateAgain(trx, rate.price_list_id, [rate.prefix, changes.prefix]);
      }),
    );
    return saved.ok ? { ok: true, ...rerated } : saved;
  } catch (error) {
    // Two rates for one prefix: the unique index refuses the second (the transaction is rolled back).
    if (isUniqueViolation(error)) return taken;
    throw error;
  }
}

/**
 * Deletes a usage rate. Its unbilled calls are priced again by the next longest prefix; those no rate
 * covers any more are left unrated, as an imported call without a rate is, so the bill run's preview
 * lists them with a link to add one.
 */
export async function deleteUsageRate(db: Queryable, rate: UsageRateRow, actor: Actor): Promise<Rerated> {
  return inTransaction(db, async (trx) => {
    await deleteAudited(trx, { table: 'usage_rates', id: rate.id, actor });
    return rateAgain(trx, rate.price_list_id, [rate.prefix]);
  });
}

/** Prices again the unbilled calls of a price list's services to destinations starting with one of the prefixes. */
async function rateAgain(trx: Tx, priceListId: number, prefixes: string[]): Promise<Rerated> {
  const table = (await rateTablesFor(trx, [priceListId])).get(priceListId)!;
  const calls: { id: number; destination: string; duration_seconds: number }[] = await trx('cdrs as c')
    .join('services as s', 's.id', 'c.service_id')
    .where('s.price_list_id', priceListId)
    .whereNull('c.invoice_id')
    .where((q) => {
      for (const prefix of new Set(prefixes)) q.orWhere('c.destination', 'like', `${prefix}%`);
    })
    .select('c.id', 'c.destination', 'c.duration_seconds');
  // Calls with the same outcome (most share a duration) are updated together, a chunk of ids at a time.
  const byOutcome = new Map<string, number[]>();
  let unrated = 0;
  for (const call of calls) {
    const rate = rateFor(table, call.destination);
    if (!rate) unrated++;
    const priced = rate ? rateCall(call.duration_seconds, rate) : null;
    const key = priced ? `${priced.billedSeconds}:${priced.cents}` : '';
    const same = byOutcome.get(key);
    if (same) same.push(call.id);
    else byOutcome.set(key, [call.id]);
  }
  for (const [key, ids] of byOutcome) {
    const [billedSeconds, cents] = key ? key.split(':').map(Number) : [null, null];
    for (let i = 0; i < ids.length; i += 500) {
      await trx('cdrs')
        .whereIn('id', ids.slice(i, i + 500))
        .update({ billed_seconds: billedSeconds, rated_cents: cents });
    }
  }
  return { rerated: calls.length - unrated, unrated };
}
