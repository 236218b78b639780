import type { StaffPrincipal } from '../../auth/principal.ts';
import { customersVisibleTo, scopeKey } from '../../auth/scope.ts';
import { type ChangeCounter, keptPerHandle } from '../../db/change-counter.ts';
import type { Queryable } from '../../db/index.ts';
import type { SettingValues } from '../catalogue/service-types.ts';
import { type DraftRow, draftColumns, liveDraftsOf, openDraftsOf, toDraft } from '../drafts/queries.ts';
import type { Grade } from '../numbers/grades.ts';
import type { LogEntry, WizardDraft } from './drafts.ts';

type WizardDraftRow = DraftRow & { created_services_at: string | null; creation_log: string | null };
const wizardDraftColumns = [...draftColumns, 'created_services_at', 'creation_log'];

const toWizardDraft = (row: WizardDraftRow): WizardDraft => ({
  ...toDraft(row),
  createdServicesAt: row.created_services_at,
  creationLog: row.creation_log ? (JSON.parse(row.creation_log) as LogEntry[]) : [],
});

/** The user's own unexpired wizard; another user's (another reseller's) is as good as absent. */
export async function findWizardDraftFor(
  db: Queryable,
  user: StaffPrincipal,
  id: string,
): Promise<WizardDraft | undefined> {
  const row = await liveDraftsOf(db, 'add-services', user)
    .where({ id })
    .first<WizardDraftRow | undefined>(wizardDraftColumns);
  return row && toWizardDraft(row);
}

/** The user's wizards that have not created anything yet, newest first, to resume, with how many numbers each holds. */
export async function openWizardDraftsFor(
  db: Queryable,
  user: StaffPrincipal,
): Promise<(WizardDraft & { numberCount: number })[]> {
  const rows: (WizardDraftRow & { number_count: number })[] = await openDraftsOf(db, 'add-services', user).select(
    ...wizardDraftColumns,
    db('wizard_draft_numbers').count('*').where('draft_id', db.ref('drafts.id')).as('number_count'),
  );
  return rows.map((row) => ({ ...toWizardDraft(row), numberCount: Number(row.number_count) }));
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

type PoolCustomer = { id: number; name: string; account_number: string };

/** Raised when a number enters a customer's pool, leaves it or moves to another (migration 20261201080000). */
export const numberPoolsCounter: ChangeCounter = {
  name: 'number_pools',
  tables: ['phone_numbers'],
  events: ['insert', 'update', 'delete'],
  column: 'pool_customer_id',
};

/**
 * Kept per scope while no number changes pool, for at most 5 s (a renamed customer shows its new name
 * after that): finding the pools' owners reads every pooled number, 4 ms on the million-number inventory,
 * on every Numbers page and search.
 */
const keptPoolCustomers = keptPerHandle<PoolCustomer[]>(numberPoolsCounter, 5_000);

/** The customers the user may see that have numbers of their own in a pool, by name (the first 50). */
export async function poolCustomersVisibleTo(db: Queryable, user: StaffPrincipal): Promise<PoolCustomer[]> {
  const load = (): Promise<PoolCustomer[]> =>
    customersVisibleTo(db, user)
      .whereIn('customers.id', db('phone_numbers').distinct('pool_customer_id').whereNotNull('pool_customer_id'))
      .orderBy('name')
      .limit(50)
      .select('customers.id', 'customers.name', 'customers.account_number');
  // Inside a transaction the list may hold its own uncommitted changes: not kept.
  if (db.isTransaction) return load();
  return keptPoolCustomers(db).get(scopeKey(user), load);
}

/** Which of these numbers are in the public pool or in one of the customers' pools. */
export function numbersInPools(db: Queryable, ids: number[], poolCustomerIds: number[]): Promise<number[]> {
  return db('phone_numbers')
    .whereIn('id', ids)
    .where((q) => {
      q.whereNull('pool_customer_id');
      if (poolCustomerIds.length) q.orWhereIn('pool_customer_id', poolCustomerIds);
    })
    .pluck('id');
}

/** The numbers themselves, in order. */
export function numbersByIds(db: Queryable, ids: number[]): Promise<string[]> {
  return db('phone_numbers').whereIn('id', ids).orderBy('number').pluck('number');
}

/** The services the wizard created, first created first. */
export function servicesCreatedBy(db: Queryable, draftId: string): Promise<{ id: number; name: string }[]> {
  return db('services as s')
    .join('service_types as t', 't.id', 's.service_type_id')
    .where('s.wizard_draft_id', draftId)
    .orderBy('s.id')
    .select('s.id', 't.name');
}

/**
 * Who *Notifications* (C7) writes to about what the wizard created: its customer, the reseller's first
 * active reseller user, and the services with their numbers.
 */
export async function creationRecipients(db: Queryable, draft: WizardDraft) {
  const customer:
    | { id: number; name: string; email: string | null; reseller_id: number; account_number: string }
    | undefined = draft.customerId
    ? await db('customers')
        .where({ id: draft.customerId })
        .first('id', 'name', 'email', 'reseller_id', 'account_number')
    : undefined;
  const resellerUser: { email: string } | undefined = customer
    ? await db('users')
        .where({ reseller_id: customer.reseller_id, role: 'reseller' })
        .whereNull('disabled_at')
        .orderBy('id')
        .first('email')
    : undefined;
  const services = await servicesCreatedBy(db, draft.id);
  const numbers: string[] = services.length
    ? await db('service_numbers as sn')
        .join('phone_numbers as n', 'n.id', 'sn.phone_number_id')
        .whereIn(
          'sn.service_id',
          services.map((s) => s.id),
        )
        .orderBy('n.number')
        .pluck('n.number')
    : [];
  return { customer, resellerEmail: resellerUser?.email, services, numbers };
}
