import type { Knex } from 'knex';
import type { StaffPrincipal } from '../../auth/principal.ts';
import { type Queryable, sqlConstant } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import type { Draft, DraftKind, DraftValues } from './drafts.ts';

export type DraftRow = {
  id: string;
  kind: DraftKind;
  reached_step: number;
  data: string;
  customer_id: number | null;
  finished_at: string | null;
  updated_at: string;
  expires_at: string;
};

export const draftColumns = [
  'id',
  'kind',
  'reached_step',
  'data',
  'customer_id',
  'finished_at',
  'updated_at',
  'expires_at',
] as const;

export function toDraft(row: DraftRow): Draft {
  return {
    id: row.id,
    kind: row.kind,
    reachedStep: row.reached_step,
    values: JSON.parse(row.data) as DraftValues,
    customerId: row.customer_id,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}

/** The user's own unexpired drafts of a kind: another user's draft is as good as absent. */
export function liveDraftsOf(db: Queryable, kind: DraftKind, user: StaffPrincipal): Knex.QueryBuilder {
  // The kind written into the SQL: drafts has a partial index on one kind (db/index.ts sqlConstant).
  return db('drafts').where('kind', sqlConstant(db, kind)).where('user_id', user.id).where('expires_at', '>', nowIso());
}

/** Those of them that have made nothing yet, newest first, to resume. */
export function openDraftsOf(db: Queryable, kind: DraftKind, user: StaffPrincipal): Knex.QueryBuilder {
  return liveDraftsOf(db, kind, user).whereNull('customer_id').orderBy('updated_at', 'desc').limit(10);
}

export async function findDraftFor(
  db: Queryable,
  kind: DraftKind,
  user: StaffPrincipal,
  id: string,
): Promise<Draft | undefined> {
  const row = await liveDraftsOf(db, kind, user).where({ id }).first<DraftRow | undefined>(draftColumns);
  return row && toDraft(row);
}

export async function openDraftsFor(db: Queryable, kind: DraftKind, user: StaffPrincipal): Promise<Draft[]> {
  const rows: DraftRow[] = await openDraftsOf(db, kind, user).select(draftColumns);
  return rows.map(toDraft);
}

/** The customer a draft made or added to, if any. */
export async function draftCustomerId(db: Queryable, draftId: string): Promise<number | null> {
  const row = await db('drafts')
    .where({ id: draftId })
    .first<{ customer_id: number | null } | undefined>('customer_id');
  return row?.customer_id ?? null;
}
