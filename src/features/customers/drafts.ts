import { randomBytes } from 'node:crypto';
import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';

/** Unfinished New Customer Account forms are kept this long, then forgotten. */
export const DRAFT_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * What the user typed, as typed (strings), so *Back*, a reload or another tab shows it again even
 * before it is valid. The password is never kept: only its hash, once it has been entered correctly.
 */
export type DraftValues = Partial<Record<string, string>>;

export type CustomerDraft = {
  id: string;
  reachedStep: number;
  values: DraftValues;
  customerId: number | null;
  finishedAt: string | null;
  updatedAt: string;
};

type DraftRow = {
  id: string;
  reached_step: number;
  data: string;
  customer_id: number | null;
  finished_at: string | null;
  updated_at: string;
};

function toDraft(row: DraftRow): CustomerDraft {
  return {
    id: row.id,
    reachedStep: row.reached_step,
    values: JSON.parse(row.data) as DraftValues,
    customerId: row.customer_id,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

function expiresAt(now = Date.now()): string {
  return new Date(now + DRAFT_LIFETIME_MS).toISOString();
}

/** Starts a draft for the user with the first step's values; returns its id (unguessable: it is in URLs). */
export async function createDraft(db: Queryable, user: StaffPrincipal, values: DraftValues): Promise<string> {
  const id = randomBytes(16).toString('base64url');
  const now = nowIso();
  // Forgetting the user's expired drafts here keeps the table small without a job of its own.
  await db('customer_drafts').where({ user_id: user.id }).where('expires_at', '<', now).delete();
  await db('customer_drafts').insert({
    id,
    user_id: user.id,
    reached_step: 1,
    data: JSON.stringify(values),
    created_at: now,
    updated_at: now,
    expires_at: expiresAt(),
  });
  return id;
}

/** The user's own draft (finished or not, unexpired); another user's draft is as good as absent. */
export async function findDraftFor(
  db: Queryable,
  user: StaffPrincipal,
  id: string,
): Promise<CustomerDraft | undefined> {
  const row = await db('customer_drafts')
    .where({ id, user_id: user.id })
    .where('expires_at', '>', nowIso())
    .first<DraftRow | undefined>('id', 'reached_step', 'data', 'customer_id', 'finished_at', 'updated_at');
  return row && toDraft(row);
}

/** Stores the values (merged over the stored ones) and how far the user may go; each save extends the draft's life. */
export async function saveDraft(
  db: Queryable,
  draft: CustomerDraft,
  values: DraftValues,
  reachedStep = draft.reachedStep,
): Promise<CustomerDraft> {
  const merged = { ...draft.values, ...values };
  const updatedAt = nowIso();
  await db('customer_drafts')
    .where({ id: draft.id })
    .whereNull('finished_at')
    .update({
      data: JSON.stringify(merged),
      reached_step: reachedStep,
      updated_at: updatedAt,
      expires_at: expiresAt(),
    });
  return { ...draft, values: merged, reachedStep, updatedAt };
}

/** The user's unfinished drafts, newest first, to continue from the Customers page. */
export async function openDraftsFor(db: Queryable, user: StaffPrincipal): Promise<CustomerDraft[]> {
  const rows: DraftRow[] = await db('customer_drafts')
    .where({ user_id: user.id })
    .whereNull('finished_at')
    .where('expires_at', '>', nowIso())
    .orderBy('updated_at', 'desc')
    .limit(10)
    .select('id', 'reached_step', 'data', 'customer_id', 'finished_at', 'updated_at');
  return rows.map(toDraft);
}

/** Throws away the user's unfinished draft; returns whether there was one. */
export async function discardDraft(db: Queryable, user: StaffPrincipal, id: string): Promise<boolean> {
  return (await db('customer_drafts').where({ id, user_id: user.id }).whereNull('finished_at').delete()) > 0;
}
