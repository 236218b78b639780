import type { StaffPrincipal } from '../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import type { SettingValues } from '../catalogue/service-types.ts';
import { createDraft, type Draft, type DraftValues, discardDraft, saveDraft } from '../drafts/drafts.ts';
import { extendReservations, releaseNumbers, reserveNumbers } from '../numbers/numbers.ts';

export type LogEntry = { category: 'customer' | 'services' | 'numbers' | 'billing'; text: string };

/** A draft of the Add Services Wizard, with what *Create Services* did (the wizard's own columns). */
export type WizardDraft = Draft & {
  createdServicesAt: string | null;
  creationLog: LogEntry[];
};

/** Starts a wizard for the user; returns its id. */
export function createWizardDraft(db: Queryable, user: StaffPrincipal, values: DraftValues = {}): Promise<string> {
  return createDraft(db, 'add-services', user, values);
}

/**
 * Stores values (merged over the stored ones) and how far the user may go. Each save extends the
 * draft's life and its numbers' reservations together, in one transaction.
 */
export async function saveWizardDraft(
  db: Queryable,
  draft: WizardDraft,
  values: DraftValues,
  reachedStep = draft.reachedStep,
): Promise<WizardDraft> {
  return inTransaction(db, async (trx) => {
    const saved = await saveDraft(trx, draft, values, reachedStep);
    if (!draft.createdServicesAt) await extendReservations(trx, draft.id, saved.expiresAt);
    return saved;
  });
}

/** Throws away the user's wizard that has created nothing, giving its numbers back; returns whether there was one. */
export function discardWizardDraft(db: Queryable, user: StaffPrincipal, id: string): Promise<boolean> {
  return discardDraft(db, 'add-services', user, id, (trx) => releaseNumbers(trx, id));
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
  return inTransaction(db, async (trx) => {
    const { expiresAt } = await saveWizardDraft(trx, draft, {});
    const taken = await reserveNumbers(trx, draft.id, ids, expiresAt);
    const reserved = ids.filter((id) => !taken.includes(id));
    if (reserved.length) {
      await trx('wizard_draft_numbers')
        .insert(reserved.map((id) => ({ draft_id: draft.id, phone_number_id: id, settings: JSON.stringify(defaults) })))
        .onConflict(['draft_id', 'phone_number_id'])
        .ignore();
    }
    return taken;
  });
}

/** Takes numbers out of the draft and gives them back to their pool. */
export async function removeNumbersFromDraft(db: Queryable, draft: WizardDraft, ids: number[]): Promise<void> {
  await inTransaction(db, async (trx) => {
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
