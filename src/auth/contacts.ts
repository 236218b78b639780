import type { Queryable } from '../db/index.ts';
import { type ContactPrincipal, type Permission, permissions, type StaffPrincipal } from './principal.ts';
import { findCustomerFor } from './scope.ts';

/** A contact as the portal signs it in: the contact row with its profile's permission columns. */
export type ContactSignInRow = {
  id: number;
  customer_id: number;
  name: string;
  email: string | null;
  password_hash: string | null;
  access_revoked_at: string | null;
} & Partial<Record<Permission, number | boolean | null>>;

function contactsWithProfiles(db: Queryable) {
  return db('contacts as k')
    .leftJoin('contact_profiles as p', 'p.id', 'k.profile_id')
    .select(
      'k.id',
      'k.customer_id',
      'k.name',
      'k.email',
      'k.password_hash',
      'k.access_revoked_at',
      ...permissions.map((p) => `p.${p}`),
    );
}

export function toContactPrincipal(
  row: ContactSignInRow,
  impersonatedBy: StaffPrincipal | null = null,
): ContactPrincipal {
  return Object.freeze({
    kind: 'contact',
    id: row.id,
    customerId: row.customer_id,
    name: row.name,
    email: row.email,
    // Booleans come back from SQLite as 1/0.
    permissions: permissions.filter((p) => Boolean(Number(row[p] ?? 0))),
    impersonatedBy,
  });
}

/**
 * A contact who may use the portal right now: has a password and access not revoked (E3 *Revoke Access*).
 * Read afresh on every request, so revoking access refuses the very next click.
 */
export async function findActiveContactById(db: Queryable, id: number): Promise<ContactSignInRow | undefined> {
  return contactsWithProfiles(db)
    .where('k.id', id)
    .whereNotNull('k.password_hash')
    .whereNull('k.access_revoked_at')
    .first();
}

/** The contacts that sign in with this e-mail address (an address may belong to contacts of several customers). */
export async function contactsSigningInAs(db: Queryable, email: string): Promise<ContactSignInRow[]> {
  return contactsWithProfiles(db).where('k.email', email).whereNotNull('k.password_hash').orderBy('k.id').limit(5);
}

/**
 * The contact a staff user impersonates (*Impersonate Customer*), if the staff user may still see its
 * customer: a reseller only its own customers' contacts.
 */
export async function impersonatedContact(
  db: Queryable,
  staff: StaffPrincipal,
  impersonation: { customerId: number; contactId: number },
): Promise<ContactPrincipal | null> {
  const customer = await findCustomerFor(db, staff, impersonation.customerId);
  if (!customer) return null;
  const row = await contactsWithProfiles(db)
    .where({ 'k.id': impersonation.contactId, 'k.customer_id': customer.id })
    .first();
  return row ? toContactPrincipal(row, staff) : null;
}
