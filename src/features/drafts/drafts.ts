import { randomBytes } from 'node:crypto';
import type { StaffPrincipal } from '../../auth/principal.ts';
import { inTransaction, type Queryable, type Tx } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { mergeValues, type TypedValues } from '../../lib/step-form.ts';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The forms whose drafts are kept between their steps, and how long an unfinished draft of each lives
 * after its last change; then it is forgotten.
 */
export const draftLifetimesMs = {
  // New Customer Account: long enough to come back to another day.
  'new-customer': 30 * 24 * HOUR_MS,
  // The Add Services Wizard: its numbers stay reserved as long as the draft lives, so long enough for a
  // phone call with the customer, short enough not to hoard numbers.
  'add-services': 2 * HOUR_MS,
} as const;
export type DraftKind = keyof typeof draftLifetimesMs;

export type DraftValues = TypedValues;

export type Draft = {
  id: string;
  kind: DraftKind;
  /** The furthest step the user may open: every step before it has passed. */
  reachedStep: number;
  values: DraftValues;
  /** The customer the draft made or added to; null while it has made nothing (and can still be discarded). */
  customerId: number | null;
  /** Set once the draft is done with: a finished draft takes no more changes. */
  finishedAt: string | null;
  updatedAt: string;
  expiresAt: string;
};

const expiryOf = (kind: DraftKind) => new Date(Date.now() + draftLifetimesMs[kind]).toISOString();

/** Starts a draft of this kind for the user; returns its id (unguessable: it is in URLs). */
export async function createDraft(
  db: Queryable,
  kind: DraftKind,
  user: StaffPrincipal,
  values: DraftValues = {},
): Promise<string> {
  const id = randomBytes(16).toString('base64url');
  const now = nowIso();
  // Forgetting the user's expired drafts here keeps the table small without a job of its own. A draft
  // that made something stays: it is the record of how (the wizard's services point at theirs).
  await db('drafts').where({ kind, user_id: user.id }).whereNull('customer_id').where('expires_at', '<', now).delete();
  await db('drafts').insert({
    id,
    kind,
    user_id: user.id,
    reached_step: 1,
    data: JSON.stringify(values),
    created_at: now,
    updated_at: now,
    expires_at: expiryOf(kind),
  });
  return id;
}

/**
 * Stores newly typed values over the stored ones, and how far the user may go; each save extends the
 * draft's life. A finished draft is left as it is.
 */
export async function saveDraft<D extends Draft>(
  db: Queryable,
  draft: D,
  typed: DraftValues,
  reachedStep = draft.reachedStep,
): Promise<D> {
  const values = mergeValues(draft.values, typed);
  const updatedAt = nowIso();
  const expiresAt = expiryOf(draft.kind);
  await db('drafts')
    .where({ id: draft.id })
    .whereNull('finished_at')
    .update({
      data: JSON.stringify(values),
      reached_step: reachedStep,
      updated_at: updatedAt,
      expires_at: expiresAt,
      version: db.raw('version + 1'),
    });
  return { ...draft, values, reachedStep, updatedAt, expiresAt };
}

/**
 * Throws away the user's draft that has made nothing; `letGo` first gives back what the draft holds,
 * in the same transaction. Returns whether there was such a draft.
 */
export async function discardDraft(
  db: Queryable,
  kind: DraftKind,
  user: StaffPrincipal,
  id: string,
  letGo?: (trx: Tx) => Promise<void>,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const draft = await trx('drafts').where({ id, kind, user_id: user.id }).whereNull('customer_id').first('id');
    if (!draft) return false;
    await letGo?.(trx);
    await trx('drafts').where({ id }).delete();
    return true;
  });
}

/**
 * Marks the draft finished, as the first write of the transaction that does its work: a second call (a
 * double click, another tab) finds it finished. Returns whether this call finished it.
 */
export async function markDraftFinished(trx: Tx, draftId: string): Promise<boolean> {
  const now = nowIso();
  const claimed = await trx('drafts')
    .where({ id: draftId })
    .whereNull('finished_at')
    .update({ finished_at: now, updated_at: now });
  return claimed > 0;
}

/** Records the customer the draft made (or added to), in the transaction that made it. */
export async function recordDraftCustomer(trx: Tx, draftId: string, customerId: number): Promise<void> {
  await trx('drafts').where({ id: draftId }).update({ customer_id: customerId });
}
