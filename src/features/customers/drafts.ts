import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import type { Draft } from '../drafts/drafts.ts';
import { openDraftsFor as openDraftsOfKind } from '../drafts/queries.ts';

/** The four steps of *New Customer Account* (B2), in order, with the fields each keeps in the draft; `slug` is the step's URL. */
const steps = [
  {
    number: 1,
    slug: 'account-type',
    title: 'Account type',
    fields: ['reseller_id', 'kind', 'sales_person', 'branch', 'institution_id', 'group_id', 'institution_q', 'group_q'],
  },
  {
    number: 2,
    slug: 'contact-details',
    title: 'Contact details',
    fields: ['name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'email', 'phone'],
  },
  { number: 3, slug: 'account-id', title: 'Customer Account ID', fields: ['custom_account_id'] },
  { number: 4, slug: 'administrator', title: 'Administrative user', fields: ['login'] },
] as const;
export type NewAccountStep = (typeof steps)[number];
export const newAccountSteps: readonly NewAccountStep[] = steps;

/** A New Customer Account draft. The password is never kept: only its hash, once it has been entered correctly. */
export type CustomerDraft = Draft;

/** The user's unfinished New Customer Account drafts, newest first, to continue from the Customers page. */
export function openDraftsFor(db: Queryable, user: StaffPrincipal): Promise<CustomerDraft[]> {
  return openDraftsOfKind(db, 'new-customer', user);
}
