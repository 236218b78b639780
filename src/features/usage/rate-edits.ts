import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolation } from '../../db/dialect.ts';
import { inTransaction, type Queryable, type Tx } from '../../db/index.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { deleteAudited, type Stale, staleAsOutcome, updateAudited } from '../audit/audit.ts';
import { priceUnbilledCalls, type Rerated, type UsageRateRow } from './rates.ts';

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

/** Prices again the price list's unbilled calls to destinations starting with one of the prefixes. */
function rateAgain(trx: Tx, priceListId: number, prefixes: string[]): Promise<Rerated> {
  return priceUnbilledCalls(trx, priceListId, (calls) =>
    calls.where((q) => {
      for (const prefix of new Set(prefixes)) q.orWhere('c.destination', 'like', `${prefix}%`);
    }),
  );
}
