import type { Knex } from 'knex';
import { likeInsensitive } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
import { TEXT_INDEX_MIN_LENGTH, type TextIndex, whereTextContains } from '../../db/text-search.ts';
import { nowIso } from '../../lib/dates.ts';
import { type Grade, suggestedGrade } from './grades.ts';

/** The substring index over numbers, for *containing* searches (created by the catalogue migration). */
export const phoneNumberSearchIndex: TextIndex = {
  name: 'phone_numbers_number_search',
  table: 'phone_numbers',
  columns: ['number'],
};

/** A number's block is its first seven digits (e.g. 0121737, Birmingham), the prefix the wizard filters on. */
export const PREFIX_LENGTH = 7;

export const selectionMethods = ['next', 'random', 'containing'] as const;
export type SelectionMethod = (typeof selectionMethods)[number];
export const selectionMethodLabels: Record<SelectionMethod, string> = {
  next: 'next available',
  random: 'random',
  containing: 'containing',
};

export type NumberFilters = {
  /** How many numbers to find. */
  count: number;
  /** Leading digits, e.g. 0121737 (Birmingham); null for any. */
  prefix: string | null;
  grade: Grade | null;
  method: SelectionMethod;
  /** The digit run a *containing* search looks for. */
  digits: string | null;
  /** null: the public pool; otherwise the customer whose pool to search. */
  poolCustomerId: number | null;
};

export type PhoneNumber = { id: number; number: string; prefix: string; grade: Grade; pool_customer_id: number | null };

const columns = [
  'phone_numbers.id',
  'phone_numbers.number',
  'phone_numbers.prefix',
  'phone_numbers.grade',
  'phone_numbers.pool_customer_id',
];

/**
 * Restricts to numbers nobody holds: available, or reserved by a draft whose reservation has lapsed,
 * or (when `draftId` is given) reserved by that draft itself, or quarantined until a time now past.
 * The one definition of "free".
 */
export function whereFree<Q extends Knex.QueryBuilder>(query: Q, now: string, draftId?: string): Q {
  return query.where((free) => {
    free
      .where('phone_numbers.status', 'available')
      .orWhere((reserved) => {
        reserved.where('phone_numbers.status', 'reserved').andWhere((lapsedOrOurs) => {
          lapsedOrOurs.where('phone_numbers.reserved_until', '<', now);
          if (draftId) lapsedOrOurs.orWhere('phone_numbers.reserved_by_draft', draftId);
        });
      })
      .orWhere((quarantined) => {
        quarantined.where('phone_numbers.status', 'quarantined').andWhere('phone_numbers.quarantined_until', '<', now);
      });
  }) as Q;
}

/**
 * Lets numbers go from their customer (removed from a service, or its service ended): quarantined until
 * `until`, then free again, so a number is not handed to someone else the moment its holder gives it up.
 */
export async function quarantineNumbers(trx: Queryable, ids: number[], until: string, now = nowIso()): Promise<void> {
  if (!ids.length) return;
  await trx('phone_numbers')
    .whereIn('id', ids)
    .update({ status: 'quarantined', quarantined_until: until, customer_id: null, updated_at: now });
}

/** The first digit string after every string that starts with `prefix` (null when there is none, e.g. "999"). */
export function prefixUpperBound(prefix: string): string | null {
  const digits = [...prefix];
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i] !== '9') {
      digits[i] = String(Number(digits[i]) + 1);
      return digits.slice(0, i + 1).join('');
    }
  }
  return null;
}

/** Free numbers of the pool matching prefix and grade; a prefix is a range on the number index. */
function matching(db: Queryable, filters: NumberFilters, now: string): Knex.QueryBuilder {
  const query = db('phone_numbers').select(columns);
  if (filters.poolCustomerId === null) query.whereNull('phone_numbers.pool_customer_id');
  else query.where('phone_numbers.pool_customer_id', filters.poolCustomerId);
  if (filters.grade) query.where('phone_numbers.grade', filters.grade);
  if (filters.prefix) {
    // A whole block is also an equality on its prefix column, which the *random* index can use.
    if (filters.prefix.length === PREFIX_LENGTH) query.where('phone_numbers.prefix', filters.prefix);
    query.where('phone_numbers.number', '>=', filters.prefix);
    const upper = prefixUpperBound(filters.prefix);
    if (upper) query.where('phone_numbers.number', '<', upper);
  }
  return whereFree(query, now);
}

const SHUFFLE_KEYS = 2 ** 31;

/** The random key a new inventory number gets (see the phone_numbers migration). */
export function shuffleKey(random: () => number = Math.random): number {
  return Math.floor(random() * SHUFFLE_KEYS);
}

/** A new inventory row: its block, a grade (suggested from the digits unless given) and its random key. */
export function inventoryRow(
  number: string,
  {
    grade = suggestedGrade(number),
    poolCustomerId = null,
    now = nowIso(),
    random = Math.random,
  }: { grade?: Grade; poolCustomerId?: number | null; now?: string; random?: () => number } = {},
) {
  return {
    number,
    prefix: number.slice(0, PREFIX_LENGTH),
    grade,
    pool_customer_id: poolCustomerId,
    status: 'available',
    shuffle_key: shuffleKey(random),
    created_at: now,
    updated_at: now,
  };
}

/**
 * Finds free numbers by the chosen method (C3):
 * - *next available*: the lowest free numbers matching the filters, in number order;
 * - *random*: matching numbers taken from a random point of a random permutation (see shuffle_key);
 * - *containing*: free matching numbers that contain the digit run, through the substring index.
 * Results are in number order.
 */
export async function searchNumbers(
  db: Queryable,
  filters: NumberFilters,
  { now = nowIso(), random = Math.random }: { now?: string; random?: () => number } = {},
): Promise<PhoneNumber[]> {
  if (filters.method === 'next') return matching(db, filters, now).orderBy('phone_numbers.number').limit(filters.count);

  if (filters.method === 'containing') {
    const digits = filters.digits ?? '';
    const query = matching(db, filters, now);
    const found: PhoneNumber[] =
      digits.length >= TEXT_INDEX_MIN_LENGTH
        ? await whereTextContains(db, query, phoneNumberSearchIndex, digits).limit(filters.count)
        : await query
            .where(likeInsensitive(db, 'phone_numbers.number', digits, 'contains'))
            .orderBy('phone_numbers.number')
            .limit(filters.count);
    return found.sort((a, b) => a.number.localeCompare(b.number));
  }

  // *random*: the next numbers after a random point of the random permutation, wrapping round at the end.
  const start = shuffleKey(random);
  const found: PhoneNumber[] = await matching(db, filters, now)
    .where('phone_numbers.shuffle_key', '>=', start)
    .orderBy('phone_numbers.shuffle_key')
    .limit(filters.count);
  if (found.length < filters.count) {
    found.push(
      ...(await matching(db, filters, now)
        .where('phone_numbers.shuffle_key', '<', start)
        .orderBy('phone_numbers.shuffle_key')
        .limit(filters.count - found.length)),
    );
  }
  return found.sort((a, b) => a.number.localeCompare(b.number));
}

/**
 * The distinct prefixes of the inventory, for the prefix drop-down: a loose index scan (one index
 * seek per prefix), so it costs the same for a thousand numbers as for a million.
 */
export async function knownPrefixes(db: Queryable): Promise<string[]> {
  const rows: { prefix: string | null }[] = await db
    .raw(`
    WITH RECURSIVE p(prefix) AS (
      SELECT MIN(prefix) FROM phone_numbers
      UNION ALL
      SELECT (SELECT MIN(prefix) FROM phone_numbers WHERE prefix > p.prefix) FROM p WHERE p.prefix IS NOT NULL
    )
    SELECT prefix FROM p WHERE prefix IS NOT NULL`)
    .then((result: unknown) => (Array.isArray(result) ? result : (result as { rows: { prefix: string }[] }).rows));
  return rows.map((r) => r.prefix!);
}

/**
 * Reserves numbers for a draft until `until`, one conditional UPDATE each: the database decides who
 * wins when two drafts reach for the same number, never this process's memory. Returns the numbers
 * that were taken meanwhile (not reserved).
 */
export async function reserveNumbers(
  trx: Queryable,
  draftId: string,
  ids: number[],
  until: string,
  now = nowIso(),
): Promise<number[]> {
  const taken: number[] = [];
  for (const id of ids) {
    const updated = await whereFree(trx('phone_numbers').where('id', id), now, draftId).update({
      status: 'reserved',
      reserved_by_draft: draftId,
      reserved_until: until,
      updated_at: now,
    });
    if (updated === 0) taken.push(id);
  }
  return taken;
}

/** Gives a draft's reserved numbers back to their pool (removed from the draft, or the draft discarded). */
export async function releaseNumbers(trx: Queryable, draftId: string, ids?: number[]): Promise<void> {
  const query = trx('phone_numbers').where({ reserved_by_draft: draftId, status: 'reserved' });
  if (ids) query.whereIn('id', ids);
  await query.update({ status: 'available', reserved_by_draft: null, reserved_until: null, updated_at: nowIso() });
}

/** Keeps a draft's reservations for as long as the draft lives (called whenever the draft is saved). */
export async function extendReservations(trx: Queryable, draftId: string, until: string): Promise<void> {
  await trx('phone_numbers')
    .where({ reserved_by_draft: draftId, status: 'reserved' })
    .update({ reserved_until: until });
}

/**
 * Assigns a number to a customer inside the creating transaction, if it is still free or the draft's
 * own (no draft: Service Details adding a number); returns false when someone else has it.
 */
export async function assignNumber(
  trx: Queryable,
  draftId: string | undefined,
  id: number,
  customerId: number,
  now = nowIso(),
): Promise<boolean> {
  const updated = await whereFree(trx('phone_numbers').where('id', id), now, draftId).update({
    status: 'assigned',
    customer_id: customerId,
    reserved_by_draft: null,
    reserved_until: null,
    quarantined_until: null,
    updated_at: now,
  });
  return updated === 1;
}

/**
 * The customers whose assigned numbers (their services' numbers, C3) contain any of the digit strings,
 * for the customer search (D1); at most `limit` numbers are looked at, through the number index.
 */
export async function customersWithNumberContaining(
  db: Queryable,
  digits: readonly string[],
  limit = 200,
): Promise<number[]> {
  if (digits.length === 0) return [];
  const assigned = db('phone_numbers').where('status', 'assigned').whereNotNull('customer_id');
  const rows: { customer_id: number }[] = await whereTextContains(db, assigned, phoneNumberSearchIndex, digits)
    .limit(limit)
    .select('phone_numbers.customer_id');
  return [...new Set(rows.map((r) => r.customer_id))];
}
