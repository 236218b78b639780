import { randomBytes } from 'node:crypto';
import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import type { SettingValues } from '../catalogue/service-types.ts';
import type { Grade } from '../numbers/grades.ts';
import { extendReservations, releaseNumbers, reserveNumbers } from '../numbers/numbers.ts';

/**
 * An unfinished wizard lives this long after its last change, and so do the reservations of its numbers:
 * long enough for a phone call with the customer, short enough not to hoard numbers.
 */
export const WIZARD_DRAFT_LIFETIME_MS = 2 * 60 * 60 * 1000;

/** What the user chose and typed, as typed (strings), so *Back*, a reload or a second tab shows it again. */
export type WizardValues = Partial<Record<string, string>>;

export type LogEntry = { category: 'customer' | 'services' | 'numbers' | 'billing'; text: string };

export type WizardDraft = {
  id: string;
  reachedStep: number;
  values: WizardValues;
  customerId: number | null;
  createdServicesAt: string | null;
  creationLog: LogEntry[];
  finishedAt: string | null;
  expiresAt: string;
};

type DraftRow = {
  id: string;
  reached_step: number;
  data: string;
  customer_id: number | null;
  created_services_at: string | null;
  creation_log: string | null;
  finished_at: string | null;
  expires_at: string;
};

const draftColumns = [
  'id',
  'reached_step',
  'data',
  'customer_id',
  'created_services_at',
  'creation_log',
  'finished_at',
  'expires_at',
];

function toDraft(row: DraftRow): WizardDraft {
  return {
    id: row.id,
    reachedStep: row.reached_step,
    values: JSON.parse(row.data) as WizardValues,
    customerId: row.customer_id,
    createdServicesAt: row.created_services_at,
    creationLog: row.creation_log ? (JSON.parse(row.creation_log) as LogEntry[]) : [],
    finishedAt: row.finished_at,
    expiresAt: row.expires_at,
  };
}

const expiryFrom = (now = Date.now()) => new Date(now + WIZARD_DRAFT_LIFETIME_MS).toISOString();

/** Starts a wizard for the user; returns its id (unguessable: it is in URLs). */
export async function createWizardDraft(
  db: Queryable,
  user: StaffPrincipal,
  values: WizardValues = {},
): Promise<string> {
  const id = randomBytes(16).toString('base64url');
  const now = nowIso();
  // Forgetting the user's expired drafts here keeps the table small without a job of its own; their
  // reservations have lapsed already (and the foreign key lets go of them).
  await db('wizard_drafts')
    .where({ user_id: user.id })
    .whereNull('created_services_at')
    .where('expires_at', '<', now)
    .delete();
  await db('wizard_drafts').insert({
    id,
    user_id: user.id,
    reached_step: 1,
    data: JSON.stringify(values),
    created_at: now,
    updated_at: now,
    expires_at: expiryFrom(),
  });
  return id;
}

/** The user's own unexpired draft; another user's (another reseller's) draft is as good as absent. */
export async function findWizardDraftFor(
  db: Queryable,
  user: StaffPrincipal,
  id: string,
): Promise<WizardDraft | undefined> {
  const row = await db('wizard_drafts')
    .where({ id, user_id: user.id })
    .where('expires_at', '>', nowIso())
    .first<DraftRow | undefined>(draftColumns);
  return row && toDraft(row);
}

/**
 * Stores values (merged over the stored ones) and how far the user may go. Each save extends the
 * draft's life and its numbers' reservations together, in one transaction.
 */
export async function saveWizardDraft(
  db: Queryable,
  draft: WizardDraft,
  values: WizardValues,
  reachedStep = draft.reachedStep,
): Promise<WizardDraft> {
  const merged = { ...draft.values, ...values };
  const expiresAt = expiryFrom();
  await db.transaction(async (trx) => {
    await trx('wizard_drafts')
      .where({ id: draft.id })
      .update({ data: JSON.stringify(merged), reached_step: reachedStep, updated_at: nowIso(), expires_at: expiresAt });
    if (!draft.createdServicesAt) await extendReservations(trx, draft.id, expiresAt);
  });
  return { ...draft, values: merged, reachedStep, expiresAt };
}

/** The user's wizards that have not created anything yet, newest first, to resume. */
export async function openWizardDraftsFor(
  db: Queryable,
  user: StaffPrincipal,
): Promise<(WizardDraft & { updatedAt: string; numberCount: number })[]> {
  const rows: (DraftRow & { updated_at: string; number_count: number })[] = await db('wizard_drafts')
    .where({ user_id: user.id })
    .whereNull('created_services_at')
    .where('expires_at', '>', nowIso())
    .orderBy('updated_at', 'desc')
    .limit(10)
    .select(
      ...draftColumns,
      'updated_at',
      db('wizard_draft_numbers').count('*').where('draft_id', db.ref('wizard_drafts.id')).as('number_count'),
    );
  return rows.map((row) => ({ ...toDraft(row), updatedAt: row.updated_at, numberCount: Number(row.number_count) }));
}

/** Throws away the user's draft that has created nothing, giving its numbers back; returns whether there was one. */
export async function discardWizardDraft(db: Queryable, user: StaffPrincipal, id: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const draft = await trx('wizard_drafts')
      .where({ id, user_id: user.id })
      .whereNull('created_services_at')
      .first('id');
    if (!draft) return false;
    await releaseNumbers(trx, id);
    await trx('wizard_drafts').where({ id }).delete();
    return true;
  });
}

export type DraftNumber = {
  id: number;
  number: string;
  prefix: string;
  grade: Grade;
  status: string;
  reserved_by_draft: string | null;
  reserved_until: string | null;
  pool_customer_id: number | null;
  service_index: number;
  settings: SettingValues;
};

/** The numbers the draft has chosen, in number order, with their current state in the inventory. */
export async function draftNumbers(db: Queryable, draftId: string): Promise<DraftNumber[]> {
  const rows = await db('wizard_draft_numbers as d')
    .join('phone_numbers as n', 'n.id', 'd.phone_number_id')
    .where('d.draft_id', draftId)
    .orderBy('n.number')
    .select(
      'n.id',
      'n.number',
      'n.prefix',
      'n.grade',
      'n.status',
      'n.reserved_by_draft',
      'n.reserved_until',
      'n.pool_customer_id',
      'd.service_index',
      'd.settings',
    );
  return rows.map((row: DraftNumber & { settings: string }) => ({
    ...row,
    settings: JSON.parse(row.settings) as SettingValues,
  }));
}

/**
 * Adds numbers to the draft: each is reserved by a conditional UPDATE (the database picks the winner
 * when two drafts reach for one number) and joins the draft with the settings' defaults. Returns the
 * numbers someone else holds, which are not added.
 */
export async function addNumbersToDraft(
  db: Queryable,
  draft: WizardDraft,
  ids: number[],
  defaults: SettingValues,
): Promise<number[]> {
  const expiresAt = expiryFrom();
  return db.transaction(async (trx) => {
    const taken = await reserveNumbers(trx, draft.id, ids, expiresAt);
    const reserved = ids.filter((id) => !taken.includes(id));
    if (reserved.length) {
      await trx('wizard_draft_numbers')
        .insert(reserved.map((id) => ({ draft_id: draft.id, phone_number_id: id, settings: JSON.stringify(defaults) })))
        .onConflict(['draft_id', 'phone_number_id'])
        .ignore();
    }
    await trx('wizard_drafts').where({ id: draft.id }).update({ updated_at: nowIso(), expires_at: expiresAt });
    await extendReservations(trx, draft.id, expiresAt);
    return taken;
  });
}

/** Takes numbers out of the draft and gives them back to their pool. */
export async function removeNumbersFromDraft(db: Queryable, draft: WizardDraft, ids: number[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('wizard_draft_numbers').where({ draft_id: draft.id }).whereIn('phone_number_id', ids).delete();
    await releaseNumbers(trx, draft.id, ids);
  });
}

/** Stores one chosen number's settings (as typed) and the service it goes to. */
export async function saveDraftNumber(
  db: Queryable,
  draft: WizardDraft,
  numberId: number,
  settings: SettingValues,
  serviceIndex: number,
): Promise<void> {
  await db('wizard_draft_numbers')
    .where({ draft_id: draft.id, phone_number_id: numberId })
    .update({ settings: JSON.stringify(settings), service_index: serviceIndex });
}

/** Every chosen number starts again from the defaults (the service type changed). */
export async function resetDraftNumberSettings(
  db: Queryable,
  draft: WizardDraft,
  defaults: SettingValues,
): Promise<void> {
  await db('wizard_draft_numbers')
    .where({ draft_id: draft.id })
    .update({ settings: JSON.stringify(defaults), service_index: 1 });
}
